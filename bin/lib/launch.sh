# Shared by bin/orchestrator, bin/hsmadmin and bin/vcmadmin (sourced, not run): finds the class
# path, building the project once if it is missing, then execs java so that the JVM is the
# script's own process (its PID, its signals, its exit status: 2 for a usage error).
#
# Environment:
#   VCMCTL_CLASSPATH  use this class path as it is and never build; the end-to-end test sets it
#                     to its own class path, because it runs inside Maven and must not start
#                     another Maven build
#   JAVA_HOME         the JDK to run (default: java on PATH)
#   JAVA_OPTS         extra JVM options
#
# The first use of a fresh clone runs 'mvn -q -B -DskipTests install' at the repository root,
# which also writes orchestrator/target/classpath.txt. It runs again only when that file or the
# orchestrator jar is missing; after changing the sources, run that command yourself.
#
# The command lines (hsmadmin, vcmadmin) start from a class data sharing archive: their classes
# already parsed and verified, mapped from one file. The first command after a build makes it
# (a few seconds, once): io.vcmctl.orchestrator.cli.ArchiveTraining runs under
# -XX:DumpLoadedClassList, then java -Xshare:dump archives exactly the classes it loaded, the
# JDK's included, in place of the JDK's own archive. It lives in orchestrator/target/cds/ and is
# made again when the class path changes or any entry of it, or the java binary, is newer than
# the archive. If making it fails, commands run without it until the next build.

# Whether an absolute path is already what readlink -f would make of it: no empty, '.' or '..'
# component and no symbolic link on the way. Shell builtins only: a fork costs a command line
# about 5 ms, and scripts run them by the hundred.
vcmctl_canonical() {
  local rest=${1#/} prefix=
  [[ $1 == /* && $1 != *//* && /$rest/ != */./* && /$rest/ != */../* ]] || return 1
  while [[ -n $rest ]]; do
    prefix+=/${rest%%/*}
    [[ ! -L $prefix ]] || return 1
    if [[ $rest == */* ]]; then rest=${rest#*/}; else rest=; fi
  done
}

# The repository's canonical path, so that the class path (and the archive made for it) is the
# same however the script was reached; readlink only when the path the script was sourced by
# has a link, '.' or '..' in it.
VCMCTL_ROOT=${BASH_SOURCE[0]%/bin/lib/launch.sh}
if [[ $VCMCTL_ROOT == "${BASH_SOURCE[0]}" ]] || ! vcmctl_canonical "$VCMCTL_ROOT"; then
  VCMCTL_ROOT=$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/../.." && pwd -P)
fi
VCMCTL_TARGET="$VCMCTL_ROOT/orchestrator/target"

# The orchestrator module's own jar (not its tests jar) in VCMCTL_JAR, or empty.
vcmctl_find_jar() {
  VCMCTL_JAR=
  local jar
  for jar in "$VCMCTL_TARGET"/orchestrator-*.jar; do
    if [[ -f "$jar" && "$jar" != *-tests.jar && "$jar" != *-sources.jar ]]; then
      VCMCTL_JAR=$jar
      return
    fi
  done
}

vcmctl_built() {
  vcmctl_find_jar
  [[ -f "$VCMCTL_TARGET/classpath.txt" && -n "$VCMCTL_JAR" ]]
}

vcmctl_build() {
  if ! command -v mvn >/dev/null 2>&1; then
    echo "ERROR: the orchestrator is not built and Maven is not installed; install Maven (apt-get install maven)" >&2
    exit 1
  fi
  mkdir -p "$VCMCTL_TARGET"
  # One build at a time; whoever waited finds it done.
  exec 9>"$VCMCTL_TARGET/.build.lock"
  if command -v flock >/dev/null 2>&1; then
    flock 9
  fi
  if ! vcmctl_built; then
    echo "$(basename "$0"): building the orchestrator once (mvn -q -B -DskipTests install); this takes a minute or two" >&2
    if ! (cd "$VCMCTL_ROOT" && mvn -q -B -DskipTests install >&2) || ! vcmctl_built; then
      echo "ERROR: the build failed (see above); fix it, or run 'mvn -B -DskipTests install' in $VCMCTL_ROOT" >&2
      exit 1
    fi
  fi
  # Closed so that the JVM does not hold the lock.
  exec 9>&-
}

# Adds -XX:SharedArchiveFile to opts when the archive for this class path exists or can be made.
# Only shell builtins when it exists: a command line starts hundreds of times in a script.
vcmctl_class_data() {
  local java=$1 classpath=$2 dir="$VCMCTL_TARGET/cds" entry made made_for= failed= binary=$1 rest=$2
  local archive="$dir/client.jsa" tmp="$dir/client.jsa.$$.tmp" list="$dir/client.classlist.$$"
  local -a entries=()
  # Builtins only, no fork: read rather than $(<file), hash rather than $(command -v), and no
  # here-string (bash writes it to a temporary file: 9 ms).
  while [[ -n $rest ]]; do
    entries+=("${rest%%:*}")
    if [[ $rest == *:* ]]; then rest=${rest#*:}; else rest=; fi
  done
  if [[ $binary != */* ]] && hash "$binary" 2>/dev/null; then
    binary=${BASH_CMDS[$binary]}
  fi
  # Made for this class path, by this java, after every entry's last change.
  if [[ -f $dir/client.classpath ]]; then
    IFS= read -r -d '' made_for <"$dir/client.classpath" || true
  fi
  if [[ -f $archive && $made_for == "$classpath" ]]; then
    made=yes
    for entry in "$binary" "${entries[@]}"; do
      if [[ ! -e $entry || $entry -nt $archive ]]; then
        made=
        break
      fi
    done
    if [[ -n $made ]]; then
      opts+=(-XX:SharedArchiveFile="$archive")
      return 0
    fi
  fi
  if [[ -f $dir/client.failed ]]; then
    IFS= read -r -d '' failed <"$dir/client.failed" || true
  fi
  if [[ $failed == "$classpath" && ! $VCMCTL_JAR -nt $dir/client.failed ]]; then
    return 0
  fi
  mkdir -p "$dir" || return 0
  # Another command may be making it at the same time: each writes its own files, the last wins.
  # A static archive of only these classes rather than a dynamic one on top of the JDK's: the JVM
  # maps and relocates every archived class at each start, and the JDK's archive holds some
  # 1,300 classes, most of which no command loads.
  if "$java" "${opts[@]}" -Xshare:off -XX:DumpLoadedClassList="$list" -cp "$classpath" \
      io.vcmctl.orchestrator.cli.ArchiveTraining >/dev/null 2>&1 \
      && "$java" "${opts[@]}" -Xshare:dump -XX:SharedClassListFile="$list" -XX:SharedArchiveFile="$tmp" \
        -cp "$classpath" >/dev/null 2>&1 && [[ -s $tmp ]]; then
    printf '%s' "$classpath" >"$dir/client.classpath.$$" && mv -f "$dir/client.classpath.$$" "$dir/client.classpath"
    mv -f "$tmp" "$archive"
    rm -f "$dir/client.failed" "$list"
    opts+=(-XX:SharedArchiveFile="$archive")
  else
    rm -f "$tmp" "$list"
    printf '%s' "$classpath" >"$dir/client.failed"
  fi
}

# vcmctl_exec CLIENT|DAEMON MAIN_CLASS ARGS...: a client is a short-lived JVM, tuned to start fast.
vcmctl_exec() {
  local kind=$1 main=$2
  shift 2
  local java=java classpath
  if [[ -n "${JAVA_HOME:-}" && -x "$JAVA_HOME/bin/java" ]]; then
    java=$JAVA_HOME/bin/java
  elif ! command -v java >/dev/null 2>&1; then
    echo "ERROR: java not found; install a JDK 17 (for example: apt-get install openjdk-17-jdk-headless)" >&2
    exit 1
  fi
  if [[ -n "${VCMCTL_CLASSPATH:-}" ]]; then
    classpath=$VCMCTL_CLASSPATH
  else
    vcmctl_built || vcmctl_build
    IFS= read -r -d '' classpath <"$VCMCTL_TARGET/classpath.txt" || true
    classpath=$VCMCTL_JAR:${classpath%$'\n'}
  fi
  local -a opts=()
  if [[ "$kind" == CLIENT ]]; then
    # A JVM warning (such as an archive it cannot use) goes to stderr, never into --json output.
    opts=(-XX:TieredStopAtLevel=1 -XX:+UseSerialGC -XX:-UsePerfData -Xlog:disable -Xlog:all=warning:stderr)
    # A class path from VCMCTL_CLASSPATH may hold directories, which an archive cannot cover.
    if [[ -z "${VCMCTL_CLASSPATH:-}" ]]; then
      vcmctl_class_data "$java" "$classpath"
    fi
  fi
  # shellcheck disable=SC2086 # JAVA_OPTS holds several options
  exec "$java" ${opts[@]+"${opts[@]}"} ${JAVA_OPTS:-} -cp "$classpath" "$main" "$@"
}
