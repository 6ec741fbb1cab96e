// Offline training corpus for the "tokenlearn"-style refinement and for extra vocabulary:
//  (1) sentences mined from Markdown files found locally (READMEs/docs shipped in
//      node_modules, plus any extra folders given), and
//  (2) synthetic DevOps sentences from templates (incidents, runbooks, configs, deploys, security).
// Deterministic (seeded PRNG) so the build is reproducible.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';

/** Small deterministic PRNG (mulberry32). */
export function rng(seed = 42) {
  let a = seed >>> 0;
  return () => { a = (a + 0x6d2b79f5) >>> 0; let t = a; t = Math.imul(t ^ (t >>> 15), t | 1); t ^= t + Math.imul(t ^ (t >>> 7), t | 61); return ((t ^ (t >>> 14)) >>> 0) / 4294967296; };
}

function* walk(dir, depth = 0) {
  if (depth > 12) return;
  let entries; try { entries = readdirSync(dir, { withFileTypes: true }); } catch { return; }
  for (const e of entries) {
    const p = join(dir, e.name);
    if (e.isDirectory() && !e.isSymbolicLink()) yield* walk(p, depth + 1);
    else if (e.isFile() && /\.(md|markdown|txt)$/i.test(e.name) && !/license|licence|changelog|history/i.test(e.name)) yield p;
  }
}

/** Turn one Markdown document into clean prose sentences. */
export function markdownSentences(text) {
  const out = [];
  text = text.replace(/```[\s\S]*?```/g, ' ').replace(/<[^>]+>/g, ' ');
  for (let para of text.split(/\n\s*\n/)) {
    if (/^\s*(\||#|    |\t|!\[|\[!\[)/.test(para)) continue; // tables, headings, code, badges
    para = para.replace(/\[([^\]]*)\]\([^)]*\)/g, '$1')     // links -> text
      .replace(/`([^`]*)`/g, '$1').replace(/[*_>#]+/g, ' ')
      .replace(/^\s*([-+]|\d+\.)\s+/gm, '').replace(/\s+/g, ' ').trim();
    for (const s of para.split(/(?<=[.!?])\s+(?=[A-Z])/)) {
      const t = s.trim();
      if (t.length < 25 || t.length > 160) continue;
      const letters = (t.match(/[A-Za-z]/g) || []).length;
      if (letters / t.length < 0.7) continue;          // mostly code / symbols
      if (/https?:|www\.|[{};=]{2}|\$\(|=>/.test(t)) continue;
      if (t.split(' ').length < 5) continue;
      out.push(t);
    }
  }
  return out;
}

/** Mine sentences from Markdown under the given roots (deduplicated). */
export function mineMarkdown(roots, maxFileBytes = 400_000) {
  const seen = new Set(); const out = [];
  for (const root of roots) {
    for (const f of walk(root)) {
      let st; try { st = statSync(f); } catch { continue; }
      if (st.size < 500 || st.size > maxFileBytes) continue;
      for (const s of markdownSentences(readFileSync(f, 'utf8'))) {
        if (!seen.has(s)) { seen.add(s); out.push(s); }
      }
    }
  }
  return out;
}

// ------------------------------------------------------------------ synthetic DevOps text
const pick = (r, xs) => xs[Math.floor(r() * xs.length)];
const V = {
  svc: ['the API gateway', 'the checkout service', 'the auth service', 'the payment service', 'the web frontend', 'the search cluster', 'the billing worker', 'the ingestion pipeline', 'the user service', 'the notification service', 'the reporting job', 'the GraphQL server', 'the mobile backend', 'the order service', 'the inventory service'],
  infra: ['nginx', 'postgres', 'PostgreSQL', 'MySQL', 'Redis', 'Kafka', 'RabbitMQ', 'Elasticsearch', 'MongoDB', 'etcd', 'Consul', 'Vault', 'HAProxy', 'Envoy', 'Jenkins', 'GitLab CI', 'GitHub Actions', 'Argo CD', 'Helm', 'Terraform', 'Ansible', 'Docker', 'Kubernetes', 'the kubelet', 'CoreDNS', 'Prometheus', 'Grafana', 'Alertmanager', 'Loki', 'Fluentd', 'the ingress controller', 'the load balancer', 'the CDN', 'S3', 'the object store', 'memcached', 'Zookeeper', 'Nomad', 'systemd'],
  res: ['memory', 'CPU', 'disk space', 'inodes', 'file descriptors', 'network bandwidth', 'connections', 'threads', 'IOPS', 'heap', 'swap'],
  place: ['in production', 'in staging', 'on the canary hosts', 'in the eu-west region', 'in us-east-1', 'on two nodes', 'across the cluster', 'on the primary database', 'on the build agents', 'on the edge nodes', 'in the dev environment'],
  symptom: ['is returning 500 errors', 'is timing out', 'is crash looping', 'is unreachable', 'is running out of memory', 'has high latency', 'is dropping requests', 'is failing health checks', 'keeps restarting', 'is throwing connection refused errors', 'is stuck in pending', 'is responding slowly', 'lost its leader', 'is out of sync', 'is leaking memory', 'rejects new connections'],
  cause: ['a bad config change', 'an expired certificate', 'a full disk', 'a memory leak', 'a noisy neighbour', 'a DNS misconfiguration', 'a schema migration that locked a table', 'a missing environment variable', 'a broken dependency upgrade', 'a network partition', 'a runaway cron job', 'connection pool exhaustion', 'a race condition during startup', 'an exhausted rate limit', 'a wrong feature flag', 'a typo in the YAML manifest', 'clock skew', 'a revoked API token'],
  action: ['roll back the last deploy', 'restart the pods', 'scale out the deployment', 'drain the node', 'rotate the credentials', 'renew the certificate', 'increase the memory limit', 'clear the cache', 'fail over to the replica', 'disable the feature flag', 'restore from the latest backup', 'purge the queue', 'bump the connection pool size', 'cordon the node', 'redeploy the previous image', 'raise the file descriptor limit', 'flush the DNS cache', 'page the on-call engineer', 'open an incident channel', 'pin the dependency version'],
  sec: ['a hardcoded password', 'an exposed S3 bucket', 'an outdated OpenSSL version', 'a container running as root', 'a public SSH port', 'an overly permissive IAM role', 'a leaked API key', 'a missing security group rule', 'an unpatched kernel', 'a vulnerable log4j dependency', 'TLS 1.0 still enabled', 'a wildcard CORS policy', 'unencrypted backups', 'a default admin account', 'secrets stored in plain text', 'a cross-site scripting flaw', 'an SQL injection in the search endpoint'],
  sev: ['critical', 'high', 'medium', 'low'],
  cfg: ['replicas', 'resource limits', 'the liveness probe', 'the readiness probe', 'the retry policy', 'the timeout', 'the log level', 'the autoscaler thresholds', 'the connection pool size', 'the cache TTL', 'the ingress rules', 'the network policy', 'the cron schedule', 'the backup retention', 'the rate limit', 'the JVM heap size', 'the worker concurrency'],
  verbDeploy: ['deployed', 'rolled out', 'released', 'shipped', 'promoted', 'canaried'],
  metric: ['p99 latency', 'error rate', 'CPU usage', 'memory usage', 'disk usage', 'queue depth', 'consumer lag', 'request rate', 'cache hit ratio', 'replication lag', 'GC pause time'],
};
const TEMPLATES = [
  (r) => `${cap(pick(r, V.svc))} ${pick(r, V.symptom)} ${pick(r, V.place)}.`,
  (r) => `${cap(pick(r, V.infra))} ${pick(r, V.symptom)} because of ${pick(r, V.cause)}.`,
  (r) => `Incident: ${pick(r, V.svc)} ${pick(r, V.symptom)} after ${pick(r, V.cause)}.`,
  (r) => `Root cause was ${pick(r, V.cause)} on ${pick(r, V.infra)}.`,
  (r) => `To mitigate, ${pick(r, V.action)} and then ${pick(r, V.action)}.`,
  (r) => `Runbook: if ${pick(r, V.svc)} ${pick(r, V.symptom)}, ${pick(r, V.action)}.`,
  (r) => `${cap(pick(r, V.infra))} is running out of ${pick(r, V.res)} ${pick(r, V.place)}.`,
  (r) => `Alert fired: ${pick(r, V.metric)} for ${pick(r, V.svc)} is above the threshold.`,
  (r) => `The ${pick(r, V.metric)} of ${pick(r, V.infra)} spiked ${pick(r, V.place)}.`,
  (r) => `Security finding (${pick(r, V.sev)}): ${pick(r, V.sec)} in ${pick(r, V.svc)}.`,
  (r) => `The scanner reported ${pick(r, V.sec)} ${pick(r, V.place)}.`,
  (r) => `Fix ${pick(r, V.sec)} before the next audit.`,
  (r) => `Change ${pick(r, V.cfg)} for ${pick(r, V.svc)} in the Helm values file.`,
  (r) => `We increased ${pick(r, V.cfg)} of ${pick(r, V.infra)} to reduce ${pick(r, V.metric)}.`,
  (r) => `The config for ${pick(r, V.infra)} sets ${pick(r, V.cfg)} too low.`,
  (r) => `Version 2.${Math.floor(r() * 20)} of ${pick(r, V.svc)} was ${pick(r, V.verbDeploy)} ${pick(r, V.place)}.`,
  (r) => `The deploy of ${pick(r, V.svc)} failed, so we had to ${pick(r, V.action)}.`,
  (r) => `Before upgrading ${pick(r, V.infra)}, ${pick(r, V.action)}.`,
  (r) => `${cap(pick(r, V.infra))} pods ${pick(r, V.symptom)} due to ${pick(r, V.cause)}.`,
  (r) => `The on-call engineer decided to ${pick(r, V.action)} when ${pick(r, V.svc)} ${pick(r, V.symptom)}.`,
  (r) => `Postmortem: ${pick(r, V.cause)} caused ${pick(r, V.svc)} to fail ${pick(r, V.place)}.`,
  (r) => `Monitor ${pick(r, V.metric)} on ${pick(r, V.infra)} after you ${pick(r, V.action)}.`,
];
function cap(s) { return s[0].toUpperCase() + s.slice(1); }

/** n synthetic DevOps sentences, deduplicated, deterministic. */
export function syntheticDevops(n, seed = 7) {
  const r = rng(seed); const seen = new Set(); const out = [];
  let guard = 0;
  while (out.length < n && guard++ < n * 20) {
    const s = pick(r, TEMPLATES)(r);
    if (!seen.has(s)) { seen.add(s); out.push(s); }
  }
  return out;
}

/** Extra DevOps vocabulary that should become whole-word tokens. */
export const DEVOPS_TERMS = (
  'kubernetes k8s kubectl kubelet pod pods node nodes cluster clusters namespace namespaces deployment deployments ' +
  'daemonset statefulset replicaset replicas replica ingress egress helm chart charts manifest manifests yaml json toml ' +
  'docker dockerfile container containers image images registry podman containerd cri crashloopbackoff oomkilled oom ' +
  'nginx apache haproxy envoy istio linkerd traefik caddy postgres postgresql mysql mariadb redis memcached kafka rabbitmq ' +
  'zookeeper etcd consul vault nomad terraform ansible puppet chef pulumi cloudformation jenkins gitlab github actions ' +
  'argocd argo flux spinnaker prometheus grafana alertmanager loki elasticsearch kibana logstash fluentd fluentbit ' +
  'opentelemetry jaeger datadog splunk pagerduty opsgenie aws gcp azure s3 ec2 eks gke aks iam vpc subnet subnets lambda ' +
  'cloudwatch route53 dns tls ssl https http grpc tcp udp cert certs certificate certificates letsencrypt openssl ssh sshd ' +
  'bastion firewall iptables nftables selinux apparmor cve cves vulnerability vulnerabilities exploit patch patched ' +
  'unpatched rbac oauth oidc saml sso mfa 2fa jwt token tokens secret secrets credentials password passwords apikey ' +
  'latency throughput p99 p95 slo sla sli uptime downtime outage outages incident incidents postmortem runbook runbooks ' +
  'playbook oncall on-call pager alert alerts alerting escalation rollback rollbacks rollout rollouts canary bluegreen ' +
  'deploy deploys deployed redeploy release releases hotfix failover failback replication backup backups restore snapshot ' +
  'snapshots cron cronjob crontab systemd systemctl journald journalctl syslog logrotate stdout stderr log logs logging ' +
  'metrics metric dashboard dashboards tracing traces autoscaler autoscaling hpa vpa throttling throttled ratelimit ' +
  'timeout timeouts retry retries backoff circuit breaker healthcheck liveness readiness probe probes sidecar ' +
  'microservice microservices monolith api apis endpoint endpoints webhook webhooks gateway proxy reverse loadbalancer ' +
  'cdn cache caching ttl queue queues consumer consumers producer lag partition partitions shard shards sharding ' +
  'cpu ram memory disk disks inode inodes iops swap heap gc jvm kernel linux ubuntu debian alpine centos rhel windows ' +
  'bash shell script scripts ci cd pipeline pipelines build builds artifact artifacts npm pip maven gradle golang rust ' +
  'python node nodejs java typescript javascript git commit commits branch branches merge rebase repo repository ' +
  'config configs configuration misconfiguration env environment variables staging production prod dev qa sandbox ' +
  'migration migrations schema database databases db sql nosql index indexes query queries deadlock deadlocks ' +
  'encryption encrypted decrypt kms hsm audit compliance pci soc2 gdpr xss csrf sqli injection ddos waf ' +
  'segfault panic stacktrace exception exceptions error errors 500 502 503 504 404 401 403 refused unreachable ' +
  'hostname hostnames ip ipv4 ipv6 port ports socket sockets bandwidth packet packets mtu nat loopback localhost ' +
  'upgrade upgrades downgrade dependency dependencies vulnerable outdated deprecated scanner scan scans sbom'
).split(/\s+/).filter(Boolean);
