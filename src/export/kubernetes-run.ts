import { quoteWord } from '../core/shell.js';

/** Stands for the admin Job's command in its JSON until `<app>-run` writes the real argv. */
const ARGV = '__FOREMAN_TS_ARGV__';

/**
 * The admin wrapper's tail for Kubernetes: create the Job (the same image, ConfigMap and Secret
 * as the Deployments) with the argv as its command, follow it (attached with a terminal, else
 * its log), return its container's exit code, and delete it on the way out, interrupted or not.
 * Each argument becomes a JSON string in awk; `$` is doubled, as Kubernetes expands `$(VAR)`.
 */
export function renderKubernetesRun(job: Readonly<Record<string, unknown>>): string {
  const withArgv = withCommand(job, ARGV);
  const [before = '', after = ''] = JSON.stringify(withArgv).split(`"${ARGV}"`);
  return `json() {
  J=$1 LC_ALL=C awk 'BEGIN {
    for (i = 1; i < 32; i++) esc[sprintf("%c", i)] = sprintf("\\\\u%04x", i)
    esc["\\\\"] = "\\\\\\\\"; esc["\\""] = "\\\\\\""; esc["$"] = "$$"
    s = ENVIRON["J"]; out = ""
    for (i = 1; i <= length(s); i++) { c = substr(s, i, 1); out = out ((c in esc) ? esc[c] : c) }
    printf "\\"%s\\"", out
  }'
}
argv=
for arg in "$@"; do argv="$argv\${argv:+,}$(json "$arg")"; done
if [ -t 0 ] && [ -t 1 ]; then tty=true; else tty=false; fi
job=$(printf '%s[%s],"stdin":%s,"stdinOnce":%s,"tty":%s%s' ${quoteWord(before)} "$argv" "$tty" "$tty" "$tty" ${quoteWord(after)} |
  kubectl create -f - -o name) || exit 1
trap 'kubectl delete "$job" --ignore-not-found --wait=false >/dev/null 2>&1' EXIT
follow=
trap '[ -z "$follow" ] || kill "$follow" 2>/dev/null; exit 129' HUP
trap '[ -z "$follow" ] || kill "$follow" 2>/dev/null; exit 130' INT
trap '[ -z "$follow" ] || kill "$follow" 2>/dev/null; exit 143' TERM
pods="job-name=\${job#*/}"
if [ "$tty" = true ]; then
  kubectl wait --for=condition=Ready pod -l "$pods" --timeout=10m >/dev/null &&
    kubectl attach -it "$(kubectl get pod -l "$pods" -o name)"
else
  # In the background, so a signal to this script is handled at once, not after the log ends.
  kubectl logs -f --pod-running-timeout=10m "$job" &
  follow=$!
  wait "$follow"
  follow=
fi
path='{.items[0].status.containerStatuses[0].state.terminated.exitCode}'
tries=0
while [ "$tries" -lt 60 ]; do
  code=$(kubectl get pods -l "$pods" -o "jsonpath=$path" 2>/dev/null)
  [ -n "$code" ] && exit "$code"
  tries=$((tries + 1))
  sleep 1
done
echo "$0: no exit code from $job after 60 s" >&2
exit 1
`;
}

/** The Job with its one container's command replaced. */
function withCommand(job: Readonly<Record<string, unknown>>, command: string): unknown {
  return JSON.parse(JSON.stringify(job), (key, value: unknown) =>
    key === 'command' ? command : value,
  );
}
