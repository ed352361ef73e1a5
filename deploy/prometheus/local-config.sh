#!/usr/bin/env bash
# Prints deploy/prometheus/prometheus.yml rewritten for LiveIm processes running on this host (./run.sh --monitoring,
# and the tests that run Prometheus against a local system): the roomgateway and roomservice jobs get the given
# targets, the rule files are found by absolute path, and what a local run does not have (the NATS and Redis
# exporters, Alertmanager) is left out. Everything else (intervals, jobs, rules) is the shipped file as it is.
#
#   deploy/prometheus/local-config.sh --gateways 127.0.0.1:5101,127.0.0.1:5102 --roomservices 127.0.0.1:5100 \
#       [--prometheus 127.0.0.1:9090] > /tmp/prometheus.yml
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
gateways="" roomservices="" prometheus="localhost:9090"
while (($#)); do
  case $1 in
    --gateways) gateways=$2; shift 2 ;;
    --roomservices) roomservices=$2; shift 2 ;;
    --prometheus) prometheus=$2; shift 2 ;;
    *) echo "local-config.sh: unknown option '$1'" >&2; exit 2 ;;
  esac
done
valid='^[A-Za-z0-9.:_-]+(,[A-Za-z0-9.:_-]+)*$'
[[ $gateways =~ $valid ]] || { echo "local-config.sh: --gateways host:port[,host:port...] is required" >&2; exit 2; }
[[ $roomservices =~ $valid ]] || { echo "local-config.sh: --roomservices host:port[,host:port...] is required" >&2; exit 2; }
[[ $prometheus =~ $valid ]] || { echo "local-config.sh: bad --prometheus '$prometheus'" >&2; exit 2; }

quote() { local out="" t; IFS=, read -ra parts <<<"$1"; for t in "${parts[@]}"; do out+="${out:+, }\"$t\""; done; echo "[$out]"; }

awk -v gw="$(quote "$gateways")" -v rs="$(quote "$roomservices")" -v prom="$(quote "$prometheus")" -v rules="$here/rules/*.yml" '
  # Top-level keys end a block; "  - job_name:" starts a scrape job.
  /^[a-z_]+:/ { section = $1; skip = (section == "alerting:") }
  section == "scrape_configs:" && /^  - job_name:/ { job = $3; skip = (job != "roomgateway" && job != "roomservice" && job != "prometheus") }
  skip { next }
  section == "rule_files:" && /^  - / { print "  - " rules; next }
  /^ *- targets:/ {
    indent = substr($0, 1, index($0, "-") - 1)
    print indent "- targets: " (job == "roomgateway" ? gw : job == "roomservice" ? rs : prom)
    next
  }
  { print }
' "$here/prometheus.yml"
