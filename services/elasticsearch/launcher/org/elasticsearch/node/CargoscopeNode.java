/*
 * cargoscope dev services: starts one real Elasticsearch node in this JVM.
 *
 * Usage: java -cp <jars>:<this> org.elasticsearch.node.CargoscopeNode <home dir> <config dir>
 * Settings (ports, paths, single-node discovery) come from <config dir>/elasticsearch.yml; see
 * services/elasticsearch/config. In this package because NodeConstruction and
 * NodeServiceProvider are package-private: that is the only way to hand the node its plugins.
 */
package org.elasticsearch.node;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import org.elasticsearch.common.logging.LogConfigurator;
import org.elasticsearch.common.settings.Settings;
import org.elasticsearch.env.Environment;
import org.elasticsearch.plugins.ClasspathPluginsService;
import org.elasticsearch.plugins.Plugin;
import org.elasticsearch.plugins.PluginsService;
import org.elasticsearch.transport.netty4.Netty4Plugin;

public final class CargoscopeNode extends Node {
    private static final List<Class<? extends Plugin>> PLUGINS = List.of(Netty4Plugin.class);

    private CargoscopeNode(Environment env) {
        super(NodeConstruction.prepareConstruction(env, new NodeServiceProvider() {
            @Override
            PluginsService newPluginService(Environment environment, Settings settings) {
                return new ClasspathPluginsService(settings, environment, PLUGINS);
            }
        }, true));
    }

    public static void main(String[] args) throws Exception {
        if (args.length != 2) {
            System.err.println("usage: CargoscopeNode <home dir> <config dir>");
            System.exit(2);
        }
        Settings input = Settings.builder().put("path.home", Path.of(args[0]).toAbsolutePath().toString()).build();
        Environment env = InternalSettingsPreparer.prepareEnvironment(input, Map.of(), Path.of(args[1]), () -> "cargoscope");
        LogConfigurator.registerErrorListener();
        LogConfigurator.setNodeName(NODE_NAME_SETTING.get(env.settings()));
        LogConfigurator.configure(env, true);

        CountDownLatch stopped = new CountDownLatch(1);
        Node node = new CargoscopeNode(env);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            // SIGTERM from `services.sh down`: close cleanly so the data dir is not left locked
            try {
                node.close();
                node.awaitClose(30, TimeUnit.SECONDS);
            } catch (Exception e) {
                e.printStackTrace();
            }
            stopped.countDown();
        }, "cargoscope-es-shutdown"));
        node.start();
        System.out.println("cargoscope: elasticsearch node started");
        stopped.await();
    }
}
