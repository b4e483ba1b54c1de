#!/usr/bin/env bash
# Starts the local stack: etcd, kube-apiserver (RBAC, PodSecurity, static tokens),
# kube-controller-manager, kube-scheduler, kwok (fake nodes), moto and ElasticMQ (the SQS), all on
# loopback.
# Idempotent: a healthy stack is left as it is. Writes $EJR_STACK_DIR/stack.json.
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
. "$here/lib.sh"
root=$(repo_root)
dir=$(stack_dir)

if stack_healthy; then
  log "the local stack is already up ($dir/stack.json)"
  exit 0
fi
if [ -f "$dir/pids" ]; then
  log "a previous stack is partly up: stopping it first"
  bash "$here/stack-down.sh"
fi

for p in etcd etcd_peer apiserver controller_manager scheduler kwok moto elasticmq; do
  port=$(port_of "$p")
  port_free "$port" || die "port $port ($p) is in use by another process: stop it, or set EJR_PORT_${p^^} to a free port"
done

command -v openssl >/dev/null || die "openssl is not installed (apt-get install openssl): the stack makes its own certificates"
command -v curl >/dev/null || die "curl is not installed (apt-get install curl): health checks use it"
bin=$(bash "$here/build-binaries.sh")
pybin=$(bash "$here/python-env.sh")
elasticmq_lib=$(bash "$here/elasticmq.sh" fetch)
node="$root/node_modules/.bin/node"
[ -x "$node" ] || die "Node 24 is missing: run npm ci first"

started=$(date +%s.%N)
mkdir -p "$dir/logs" "$dir/pki"
rm -rf "$dir/etcd-data"
: > "$dir/pids"
pki="$dir/pki"
api="https://127.0.0.1:$(port_of apiserver)"

# --- certificates and tokens (made once per stack directory) --------------------------
if [ ! -f "$pki/ca.crt" ]; then
  log "creating certificates in $pki"
  openssl req -x509 -newkey rsa:2048 -nodes -days 3650 -subj "/CN=eks-job-runner-local-ca" \
    -keyout "$pki/ca.key" -out "$pki/ca.crt" 2>/dev/null
  serving_cert() { # name
    openssl req -newkey rsa:2048 -nodes -subj "/CN=$1" -keyout "$pki/$1.key" -out "$pki/$1.csr" 2>/dev/null
    printf 'subjectAltName=IP:127.0.0.1,DNS:localhost,DNS:kubernetes.default.svc\nextendedKeyUsage=serverAuth,clientAuth\n' > "$pki/$1.ext"
    openssl x509 -req -in "$pki/$1.csr" -CA "$pki/ca.crt" -CAkey "$pki/ca.key" -CAcreateserial \
      -days 3650 -extfile "$pki/$1.ext" -out "$pki/$1.crt" 2>/dev/null
  }
  serving_cert apiserver
  serving_cert kwok
  openssl genrsa -out "$pki/sa.key" 2048 2>/dev/null
  openssl rsa -in "$pki/sa.key" -pubout -out "$pki/sa.pub" 2>/dev/null
  chmod 600 "$pki"/*.key
fi
# Made anew when a user is missing (a stack directory from before the per-function identities).
if ! grep -q ',eks-job-runner-reconcile,' "$pki/tokens.csv" 2>/dev/null; then
  token() { openssl rand -hex 24; }
  # token,user,uid,"groups": each function is a user in the group that rbac.yaml binds for it,
  # as an EKS access entry maps each function's IAM role into its group.
  {
    echo "$(token),admin,admin,\"system:masters\""
    echo "$(token),eks-job-runner-submit,eks-job-runner-submit,\"eks-job-runner-submit\""
    echo "$(token),eks-job-runner-reconcile,eks-job-runner-reconcile,\"eks-job-runner-reconcile\""
    echo "$(token),system:kube-controller-manager,kcm,\"\""
    echo "$(token),system:kube-scheduler,scheduler,\"\""
  } > "$pki/tokens.csv"
  chmod 600 "$pki/tokens.csv"
fi
token_of() { awk -F, -v u="$1" '$2==u {print $1}' "$pki/tokens.csv"; }
kubeconfig() { # file user
  cat > "$1" <<KC
apiVersion: v1
kind: Config
clusters:
- name: local
  cluster:
    server: $api
    certificate-authority: $pki/ca.crt
users:
- name: $2
  user:
    token: $(token_of "$2")
contexts:
- name: local
  context: {cluster: local, user: $2}
current-context: local
KC
  chmod 600 "$1"
}
kubeconfig "$dir/admin.kubeconfig" admin
kubeconfig "$dir/submit.kubeconfig" eks-job-runner-submit
kubeconfig "$dir/reconcile.kubeconfig" eks-job-runner-reconcile
kubeconfig "$dir/controller-manager.kubeconfig" system:kube-controller-manager
kubeconfig "$dir/scheduler.kubeconfig" system:kube-scheduler

# --- etcd ------------------------------------------------------------------------------
start etcd "$bin/etcd" --name local --data-dir "$dir/etcd-data" \
  --listen-client-urls "http://127.0.0.1:$(port_of etcd)" --advertise-client-urls "http://127.0.0.1:$(port_of etcd)" \
  --listen-peer-urls "http://127.0.0.1:$(port_of etcd_peer)" --initial-advertise-peer-urls "http://127.0.0.1:$(port_of etcd_peer)" \
  --initial-cluster "local=http://127.0.0.1:$(port_of etcd_peer)" \
  --quota-backend-bytes 8589934592 --unsafe-no-fsync --log-level warn
wait_for etcd 30 curl -sf "http://127.0.0.1:$(port_of etcd)/health"

# --- kube-apiserver ----------------------------------------------------------------------
start kube-apiserver "$bin/kube-apiserver" \
  --etcd-servers "http://127.0.0.1:$(port_of etcd)" \
  --bind-address 127.0.0.1 --advertise-address 127.0.0.1 --secure-port "$(port_of apiserver)" \
  --tls-cert-file "$pki/apiserver.crt" --tls-private-key-file "$pki/apiserver.key" --client-ca-file "$pki/ca.crt" \
  --token-auth-file "$pki/tokens.csv" --authorization-mode RBAC --anonymous-auth=false \
  --enable-admission-plugins NamespaceLifecycle,ServiceAccount,PodSecurity,Priority,DefaultTolerationSeconds,LimitRanger,ResourceQuota \
  `# no node-lifecycle controller runs to lift the not-ready taint that plugin sets on new nodes` \
  --disable-admission-plugins TaintNodesByCondition \
  --service-account-issuer https://kubernetes.default.svc --service-account-key-file "$pki/sa.pub" \
  --service-account-signing-key-file "$pki/sa.key" --service-cluster-ip-range 10.96.0.0/16 \
  --kubelet-client-certificate "$pki/apiserver.crt" --kubelet-client-key "$pki/apiserver.key" \
  --max-requests-inflight 1600 --max-mutating-requests-inflight 800 --profiling=false
wait_for kube-apiserver 90 curl -sf --cacert "$pki/ca.crt" -H "Authorization: Bearer $(token_of admin)" "$api/readyz"

# --- controllers and scheduler -------------------------------------------------------------
start kube-controller-manager "$bin/kube-controller-manager" \
  --kubeconfig "$dir/controller-manager.kubeconfig" \
  --authentication-kubeconfig "$dir/controller-manager.kubeconfig" --authorization-kubeconfig "$dir/controller-manager.kubeconfig" \
  --bind-address 127.0.0.1 --secure-port "$(port_of controller_manager)" --leader-elect=false \
  --controllers job-controller,ttl-after-finished-controller,garbage-collector-controller,namespace-controller,serviceaccount-controller,serviceaccount-token-controller,pod-garbage-collector-controller,root-ca-certificate-publisher-controller \
  --service-account-private-key-file "$pki/sa.key" --root-ca-file "$pki/ca.crt" --use-service-account-credentials=true \
  --kube-api-qps 1000 --kube-api-burst 2000 --concurrent-job-syncs 20 --concurrent-ttl-after-finished-syncs 20 \
  --concurrent-gc-syncs 40
cat > "$dir/scheduler.yaml" <<YAML
apiVersion: kubescheduler.config.k8s.io/v1
kind: KubeSchedulerConfiguration
clientConnection:
  kubeconfig: $dir/scheduler.kubeconfig
  qps: 1000
  burst: 2000
leaderElection:
  leaderElect: false
YAML
start kube-scheduler "$bin/kube-scheduler" --config "$dir/scheduler.yaml" \
  --authentication-kubeconfig "$dir/scheduler.kubeconfig" --authorization-kubeconfig "$dir/scheduler.kubeconfig" \
  --bind-address 127.0.0.1 --secure-port "$(port_of scheduler)"
wait_for kube-controller-manager 60 curl -sfk "https://127.0.0.1:$(port_of controller_manager)/healthz"
wait_for kube-scheduler 60 curl -sfk "https://127.0.0.1:$(port_of scheduler)/healthz"

# --- cluster objects: namespaces, RBAC, priority classes, nodes ---------------------------
kubectl_admin() { "$bin/kubectl" --kubeconfig "$dir/admin.kubeconfig" "$@"; }
namespaces=(jobs jobs-extra)
for ns in "${namespaces[@]}"; do
  kubectl_admin create namespace "$ns" >/dev/null
  kubectl_admin label namespace "$ns" pod-security.kubernetes.io/enforce=restricted \
    pod-security.kubernetes.io/enforce-version=latest >/dev/null
  sed "s/NAMESPACE/$ns/" "$root/infra/k8s/rbac.yaml" | kubectl_admin apply -f - >/dev/null
  sed "s/NAMESPACE/$ns/" "$here/namespace-fixtures.yaml" | kubectl_admin apply -f - >/dev/null
done
kubectl_admin apply -f "$here/kwok/cluster.yaml" >/dev/null

# --- kwok: the nodes --------------------------------------------------------------------
cat > "$dir/kwok.yaml" <<YAML
apiVersion: config.kwok.x-k8s.io/v1alpha1
kind: KwokConfiguration
options:
  manageAllNodes: false
  manageNodesWithAnnotationSelector: kwok.x-k8s.io/node=fake
  nodeIP: 127.0.0.1
  nodePort: $(port_of kwok)
  serverAddress: 127.0.0.1:$(port_of kwok)
  tlsCertFile: $pki/kwok.crt
  tlsPrivateKeyFile: $pki/kwok.key
  podPlayStageParallelism: 16
  nodePlayStageParallelism: 4
  nodeLeaseParallelism: 4
  podsOnNodeSyncParallelism: 4
  cidr: 10.0.0.1/16
  nodeLeaseDurationSeconds: 40
  enableDebuggingHandlers: true
---
apiVersion: kwok.x-k8s.io/v1alpha1
kind: ClusterLogs
metadata:
  name: every-pod
spec:
  logs:
  - logsFile: $here/kwok/pod.log
YAML
{ echo ---; cat "$here/kwok/stages.yaml"; } >> "$dir/kwok.yaml"
start kwok "$bin/kwok" --kubeconfig "$dir/admin.kubeconfig" --config "$dir/kwok.yaml"
nodes=$(kubectl_admin get nodes -o name | wc -l)
wait_for "kwok nodes Ready" 60 bash -c "[ \"\$('$bin/kubectl' --kubeconfig '$dir/admin.kubeconfig' get nodes --no-headers | grep -cw Ready)\" = $nodes ]"

# --- moto and ElasticMQ: the AWS side ---------------------------------------------------
# ElasticMQ serves SQS (docs/local-sqs.md); moto the rest. Both start at once and are waited for together.
# moto runs with DynamoDB's write isolation (aws/moto_server.py says why).
start moto "$pybin/python" "$here/aws/moto_server.py" -H 127.0.0.1 -p "$(port_of moto)"
mapfile -t elasticmq_cmd < <(bash "$here/elasticmq.sh" command "$(port_of elasticmq)" "$dir")
[ ${#elasticmq_cmd[@]} -gt 0 ] || die "no ElasticMQ command line (its jars: $elasticmq_lib)"
start elasticmq "${elasticmq_cmd[@]}"
wait_for moto 30 curl -sf "http://127.0.0.1:$(port_of moto)/moto-api/"
wait_for elasticmq 60 bash "$here/elasticmq.sh" healthy "$(port_of elasticmq)"
# AWS_ENDPOINT_URL_SQS: the SDK's name for one service's endpoint; provision.ts makes the queues there.
aws_json=$(AWS_ENDPOINT_URL="http://127.0.0.1:$(port_of moto)" AWS_ENDPOINT_URL_SQS="http://127.0.0.1:$(port_of elasticmq)" \
  AWS_REGION=us-east-1 AWS_ACCESS_KEY_ID=local AWS_SECRET_ACCESS_KEY=local "$node" "$root/infra/local/aws/provision.ts") \
  || die "provisioning the queues on ElasticMQ and the table and bus on moto failed (logs: $dir/logs/elasticmq.log, $dir/logs/moto.log)"

# --- stack.json: what tests and the local runtime read -------------------------------------
"$node" -e '
const [dir, api, aws, nodes, namespaces, pids] = process.argv.slice(1);
const pidMap = Object.fromEntries(pids.trim().split("\n").map((l) => { const [n, p] = l.split(" "); return [n, Number(p)]; }));
const stack = {
  dir, apiServerUrl: api,
  kubeconfigs: { submit: `${dir}/submit.kubeconfig`, reconcile: `${dir}/reconcile.kubeconfig` },
  adminKubeconfig: `${dir}/admin.kubeconfig`,
  jobsNamespaces: namespaces.split(" "), nodes: nodes.trim().split("\n").map((n) => n.replace("node/", "")),
  aws: JSON.parse(aws), pids: pidMap,
};
require("node:fs").writeFileSync(`${dir}/stack.json`, JSON.stringify(stack, null, 2) + "\n");
' "$dir" "$api" "$aws_json" "$(kubectl_admin get nodes -o name)" "${namespaces[*]}" "$(cat "$dir/pids")"
log "the local stack is up in $(awk -v s="$started" -v e="$(date +%s.%N)" 'BEGIN{printf "%.1f", e-s}') s: $dir/stack.json"
