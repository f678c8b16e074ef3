# shellcheck shell=bash
# Kafka 3.9 (KRaft, one node) and Elasticsearch 8.14 (one node), both from Maven Central.

# Ports can be moved for a second instance (CARGOSCOPE_STATE elsewhere too), as the fault drill
# does (tests/drill/): the defaults are the shared dev instance's.
KAFKA_PORT=${CARGOSCOPE_KAFKA_PORT:-9092}
KAFKA_CONTROLLER_PORT=${CARGOSCOPE_KAFKA_CONTROLLER_PORT:-29093}
ES_PORT=${CARGOSCOPE_ES_PORT:-9200}
ES_TRANSPORT_PORT=${CARGOSCOPE_ES_TRANSPORT_PORT:-9300}
KAFKA_BOOTSTRAP=127.0.0.1:$KAFKA_PORT
ES_URL=http://127.0.0.1:$ES_PORT

java_install() { apt_install openjdk-17-jdk-headless maven kcat; }

# ---- Kafka ----------------------------------------------------------------------------------
kafka_libs() { echo "$CACHE/kafka/libs-$(files_hash "$SERVICES_DIR/kafka/pom.xml")"; }

# "Broker answers metadata": kcat lists the cluster, and it has our broker in it.
kafka_ok() { kcat -L -b "$KAFKA_BOOTSTRAP" -m 3 2>/dev/null | grep -q '1 brokers:'; }

kafka_install() {
  java_install
  local libs; libs=$(kafka_libs)
  [ -d "$libs" ] && return 0
  say "kafka: resolving jars with mvn (first run only)"
  mvn_copy_deps "$SERVICES_DIR/kafka/pom.xml" "$libs"
}

kafka_up() {
  if command -v kcat >/dev/null && kafka_ok; then say "kafka: reusing the broker on $KAFKA_BOOTSTRAP"; return 0; fi
  kafka_install
  local dir="$STATE/kafka" libs
  libs=$(kafka_libs)
  mkdir -p "$dir/data"
  sed -e "s#@KAFKA_DATA@#$dir/data#g" -e "s#127.0.0.1:9092#$KAFKA_BOOTSTRAP#g" \
    -e "s#127.0.0.1:29093#127.0.0.1:$KAFKA_CONTROLLER_PORT#g" \
    "$SERVICES_DIR/kafka/server.properties" >"$dir/server.properties"
  if [ ! -s "$dir/data/meta.properties" ]; then
    local id
    id=$(java -cp "$libs/*" kafka.tools.StorageTool random-uuid 2>>"$LOGS/kafka.log") ||
      fail_service kafka "StorageTool random-uuid failed"
    java -cp "$libs/*" -Dlog4j.configuration="file:$SERVICES_DIR/kafka/log4j.properties" \
      kafka.tools.StorageTool format -t "$id" -c "$dir/server.properties" >>"$LOGS/kafka.log" 2>&1 ||
      fail_service kafka "StorageTool format failed"
  fi
  spawn kafka java -Xms256m -Xmx1g -XX:+UseG1GC -Djava.awt.headless=true \
    -Dlog4j.configuration="file:$SERVICES_DIR/kafka/log4j.properties" \
    -Dkafka.logs.dir="$dir/logs" -cp "$libs/*" kafka.Kafka "$dir/server.properties"
  wait_for 180 kafka "$(our_pid kafka)" kafka_ok
  say "kafka: up on $KAFKA_BOOTSTRAP (pid $(our_pid kafka))"
}

kafka_down() { stop_pid kafka kafka.Kafka 60 || return 0; }

# ---- Elasticsearch --------------------------------------------------------------------------
es_sources() { find "$SERVICES_DIR/elasticsearch/launcher" -name '*.java' | sort; }
es_key() {
  local src; mapfile -t src < <(es_sources)
  files_hash "$SERVICES_DIR/elasticsearch/pom.xml" "${src[@]}"
}

es_ok() { curl -fsS -m 3 "$ES_URL/_cluster/health" 2>/dev/null | grep -Eq '"status":"(green|yellow)"'; }

es_install() {
  java_install
  local base; base="$CACHE/elasticsearch/$(es_key)"
  [ -d "$base/classes" ] && return 0
  say "elasticsearch: resolving jars with mvn and compiling the launcher (first run only)"
  mkdir -p "$base"
  mvn_copy_deps "$SERVICES_DIR/elasticsearch/pom.xml" "$base/libs"
  rm -rf "$base/classes.tmp" && mkdir -p "$base/classes.tmp"
  local src; mapfile -t src < <(es_sources)
  javac -nowarn -d "$base/classes.tmp" -cp "$base/libs/*" "${src[@]}" >>"$LOGS/install.log" 2>&1 ||
    { tail -n 30 "$LOGS/install.log" >&2; die "elasticsearch: javac of the launcher failed"; }
  mv "$base/classes.tmp" "$base/classes"
}

elasticsearch_up() {
  if es_ok; then say "elasticsearch: reusing the node on $ES_URL"; return 0; fi
  es_install
  local dir="$STATE/elasticsearch" base
  base="$CACHE/elasticsearch/$(es_key)"
  mkdir -p "$dir"/{home,config,data,logs,tmp}
  cp "$SERVICES_DIR"/elasticsearch/config/* "$dir/config/"
  # Heap capped at 1 GiB (the issue's budget); ES settings themselves are in elasticsearch.yml.
  CARGOSCOPE_ES_DATA="$dir/data" CARGOSCOPE_ES_LOGS="$dir/logs" \
    CARGOSCOPE_ES_HTTP_PORT="$ES_PORT" CARGOSCOPE_ES_TRANSPORT_PORT="$ES_TRANSPORT_PORT" \
    spawn elasticsearch java -Xms1g -Xmx1g -XX:+UseG1GC -Djava.awt.headless=true \
    -Djava.io.tmpdir="$dir/tmp" -Dlog4j2.disable.jmx=true -Dfile.encoding=UTF-8 \
    -cp "$base/libs/*:$base/classes" org.elasticsearch.node.CargoscopeNode "$dir/home" "$dir/config"
  wait_for 240 elasticsearch "$(our_pid elasticsearch)" es_ok
  say "elasticsearch: up on $ES_URL (pid $(our_pid elasticsearch))"
}

elasticsearch_down() { stop_pid elasticsearch CargoscopeNode 60 || return 0; }
