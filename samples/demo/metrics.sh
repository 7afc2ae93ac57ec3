#!/usr/bin/env bash
# Writes the demo's Prometheus data as OpenMetrics, for `promtool tsdb create-blocks-from
# openmetrics`: ten minutes every 15 s from T0 (1700000000, in seconds). leaky-7d9f-a's
# working set climbs from 50% to 90% of its 1 GiB limit; leaky-7d9f-b stays at 40%;
# crashy-5c4b-a has restarted 9 times in the last 10 minutes.
set -euo pipefail
t0=1700000000
limit=1073741824
echo "# TYPE container_memory_working_set_bytes gauge"
for i in $(seq 0 40); do
  t=$((t0 + 15 * i))
  echo "container_memory_working_set_bytes{namespace=\"demo-apps\",pod=\"leaky-7d9f-a\",container=\"app\"} $((limit * (50 + i) / 100)) $t"
  echo "container_memory_working_set_bytes{namespace=\"demo-apps\",pod=\"leaky-7d9f-b\",container=\"app\"} $((limit * 40 / 100)) $t"
done
echo "# TYPE container_spec_memory_limit_bytes gauge"
for i in $(seq 0 40); do
  t=$((t0 + 15 * i))
  for pod in leaky-7d9f-a leaky-7d9f-b; do
    echo "container_spec_memory_limit_bytes{namespace=\"demo-apps\",pod=\"$pod\",container=\"app\"} $limit $t"
  done
done
echo "# TYPE kube_pod_container_status_restarts counter"
for i in $(seq 0 40); do
  t=$((t0 + 15 * i))
  echo "kube_pod_container_status_restarts_total{namespace=\"demo-apps\",pod=\"crashy-5c4b-a\",container=\"app\"} $((i * 9 / 40)) $t"
done
echo "# EOF"
