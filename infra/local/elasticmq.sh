#!/usr/bin/env bash
# ElasticMQ, the local stack's SQS (moto keeps DynamoDB, EventBridge, STS, EKS and CloudWatch):
# fetched once with Maven into the machine's cache, configured for one loopback port.
#   elasticmq.sh fetch               prints the directory of its jars (fetches them when missing)
#   elasticmq.sh conf PORT FILE      writes a config for 127.0.0.1:PORT
#   elasticmq.sh command PORT DIR    prints the command line (one word a line) that serves PORT,
#                                    its config written into DIR
#   elasticmq.sh healthy PORT        exits 0 when it answers an SQS ListQueues
# stack-up.sh runs it as the server `elasticmq`; test/support/elasticmq.ts starts its own.
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=infra/local/lib.sh
. "$here/lib.sh"

ELASTICMQ_VERSION=1.7.1
DEPENDENCY_PLUGIN=org.apache.maven.plugins:maven-dependency-plugin:3.8.1

lib_dir() { echo "$(cache_root)/elasticmq/$ELASTICMQ_VERSION/lib"; }

# The jars of org.elasticmq:elasticmq-server_2.13 and its runtime dependencies, copied by Maven
# from a throwaway pom. Fetched into a temporary directory and renamed into place, so a fetch
# that failed halfway, or two at once, never leave a partial lib behind.
fetch() {
  local lib; lib=$(lib_dir)
  if [ -f "$lib/.complete" ]; then echo "$lib"; return; fi
  command -v java >/dev/null || die "java is not installed: ElasticMQ (the local SQS) runs on a JRE 17+ (apt-get install default-jre-headless)"
  command -v mvn >/dev/null || die "mvn is not installed: ElasticMQ's jars are fetched with Maven (apt-get install maven)"
  log "fetching ElasticMQ $ELASTICMQ_VERSION with Maven into $lib (first run only)"
  local parent; parent=$(dirname "$lib")
  mkdir -p "$parent"
  local work; work=$(mktemp -d "$parent/fetch.XXXXXX")
  cat > "$work/pom.xml" <<POM
<project xmlns="http://maven.apache.org/POM/4.0.0">
  <modelVersion>4.0.0</modelVersion>
  <groupId>local.eks-job-runner</groupId>
  <artifactId>elasticmq-fetch</artifactId>
  <version>0</version>
  <packaging>pom</packaging>
  <dependencies>
    <dependency>
      <groupId>org.elasticmq</groupId>
      <artifactId>elasticmq-server_2.13</artifactId>
      <version>$ELASTICMQ_VERSION</version>
    </dependency>
  </dependencies>
</project>
POM
  if ! mvn -q -B -Dstyle.color=never -f "$work/pom.xml" "$DEPENDENCY_PLUGIN:copy-dependencies" \
    -DincludeScope=runtime -DoutputDirectory="$work/lib" >&2; then
    rm -rf "$work"
    die "fetching ElasticMQ with Maven failed (see its output above)"
  fi
  touch "$work/lib/.complete"
  # Another fetch may have finished first: then its copy stays and this one goes.
  mv -T "$work/lib" "$lib" 2>/dev/null || true
  rm -rf "$work"
  [ -f "$lib/.complete" ] || die "ElasticMQ's jars are not in $lib after the fetch"
  echo "$lib"
}

# Queue URLs name 127.0.0.1:PORT; region and account are moto's, so URLs and ARNs keep the form
# they had on moto (http://127.0.0.1:PORT/123456789012/NAME, arn:aws:sqs:us-east-1:123456789012:NAME).
# No queues here: provisioning makes them from shared/resources.ts, as CDK does.
conf() { # port file
  cat > "$2" <<CONF
# The server's own defaults (pekko-http's request timeout above the 20 s long poll, among them).
include classpath("application.conf")
node-address { protocol = http, host = "127.0.0.1", port = $1, context-path = "" }
rest-sqs { enabled = true, bind-port = $1, bind-hostname = "127.0.0.1", sqs-limits = strict }
generate-node-address = false
aws { region = "us-east-1", accountId = "123456789012" }
CONF
}

# C1 only and a small serial heap: it starts sooner and, on two cores, serves no slower.
command_line() { # port dir
  command -v java >/dev/null || die "java is not installed: ElasticMQ (the local SQS) runs on a JRE 17+ (apt-get install default-jre-headless)"
  local lib; lib=$(fetch)
  conf "$1" "$2/elasticmq.conf"
  printf '%s\n' java -Xms64m -Xmx512m -XX:+UseSerialGC -XX:TieredStopAtLevel=1 \
    "-Dconfig.file=$2/elasticmq.conf" -cp "$lib/*" org.elasticmq.server.Main
}

healthy() { # port
  curl -sf -m 2 -X POST -H 'Content-Type: application/x-amz-json-1.0' \
    -H 'X-Amz-Target: AmazonSQS.ListQueues' -d '{}' "http://127.0.0.1:$1/" | grep -q QueueUrls
}

case ${1:-} in
  fetch) fetch ;;
  conf) conf "${2:?port}" "${3:?file}" ;;
  command) command_line "${2:?port}" "${3:?directory}" ;;
  healthy) healthy "${2:?port}" ;;
  *) die "usage: elasticmq.sh fetch | conf PORT FILE | command PORT DIR | healthy PORT" ;;
esac
