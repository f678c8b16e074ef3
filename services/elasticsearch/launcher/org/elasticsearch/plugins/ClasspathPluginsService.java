/*
 * cargoscope dev services: loads Elasticsearch plugins that sit on the JVM class path.
 *
 * Elasticsearch normally loads its modules from $ES_HOME/modules, each in its own class loader,
 * from the official tarball. That tarball is not on Maven Central, but the server and the Netty
 * HTTP/transport module are, so the node runs from a flat class path and the module classes are
 * handed in here. Lives in this package because LoadedPlugin, loadPlugin and loadExtensions are
 * package-private.
 */
package org.elasticsearch.plugins;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;

import org.elasticsearch.Build;
import org.elasticsearch.action.admin.cluster.node.info.PluginsAndModules;
import org.elasticsearch.common.settings.Settings;
import org.elasticsearch.env.Environment;
import org.elasticsearch.jdk.ModuleQualifiedExportsService;

public final class ClasspathPluginsService extends PluginsService {
    private final List<LoadedPlugin> loaded;
    private final PluginsAndModules info;

    public ClasspathPluginsService(Settings settings, Environment env, Collection<Class<? extends Plugin>> classes) {
        // null module/plugin directories: nothing is loaded from the file system
        super(settings, env.configFile(), null, null);
        List<LoadedPlugin> plugins = new ArrayList<>();
        List<PluginDescriptor> descriptors = new ArrayList<>();
        for (Class<? extends Plugin> type : classes) {
            PluginDescriptor descriptor = new PluginDescriptor(type.getName(), "loaded from the class path by cargoscope",
                Build.current().version(), Build.current().version(), Integer.toString(Runtime.version().feature()),
                type.getName(), null, List.of(), false, false, false, false);
            Plugin instance = loadPlugin(type, settings, env.configFile());
            plugins.add(new LoadedPlugin(descriptor, instance, type.getClassLoader(), ModuleLayer.boot()));
            descriptors.add(descriptor);
        }
        loadExtensions(plugins);
        this.loaded = List.copyOf(plugins);
        // they are modules of the distribution, so report them as modules (GET _nodes/plugins)
        this.info = new PluginsAndModules(List.of(), List.copyOf(descriptors));
    }

    @Override
    protected List<LoadedPlugin> plugins() {
        return loaded;
    }

    @Override
    public PluginsAndModules info() {
        return info;
    }

    @Override
    protected void addServerExportsService(Map<String, List<ModuleQualifiedExportsService>> qualifiedExports) {
        // the server runs as an unnamed module on the class path: there are no module exports to add
    }
}
