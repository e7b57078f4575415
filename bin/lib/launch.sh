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
# (a few seconds, once) by running io.vcmctl.orchestrator.cli.ArchiveTraining under
# -XX:ArchiveClassesAtExit; it lives in orchestrator/target/cds/ and its name is a checksum of
# the java binary and of every class path entry's size and time, so that a rebuild or another
# JDK makes a new one. If making it fails, commands run without it until the next build.

VCMCTL_ROOT=$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/../.." && pwd -P)
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
vcmctl_class_data() {
  local java=$1 classpath=$2 dir="$VCMCTL_TARGET/cds" key archive tmp file
  local -a entries
  IFS=: read -ra entries <<<"$classpath"
  key=$(stat -L -c '%n %s %Y' "$(command -v "$java")" "${entries[@]}" 2>/dev/null | cksum) || return 0
  archive="$dir/client-${key%% *}.jsa"
  if [[ ! -f $archive && ! -f $archive.failed ]]; then
    mkdir -p "$dir" || return 0
    for file in "$dir"/client-*; do
      [[ $file == "$archive"* ]] || rm -f "$file"
    done
    # Another command may be making the same archive: each writes its own file, the last wins.
    tmp="$archive.$$.tmp"
    if "$java" "${opts[@]}" -XX:ArchiveClassesAtExit="$tmp" -cp "$classpath" \
        io.vcmctl.orchestrator.cli.ArchiveTraining >/dev/null 2>&1 && [[ -s $tmp ]]; then
      mv -f "$tmp" "$archive"
    else
      rm -f "$tmp"
      touch "$archive.failed"
    fi
  fi
  if [[ -f $archive ]]; then
    opts+=(-XX:SharedArchiveFile="$archive")
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
    classpath=$VCMCTL_JAR:$(<"$VCMCTL_TARGET/classpath.txt")
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
