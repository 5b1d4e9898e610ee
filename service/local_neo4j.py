"""A real Neo4j 5.26 Community server on machines without Docker.

Why this shape: Maven Central carries no Neo4j 5 distribution archive (the
``org.neo4j.assembly:neo4j-community:<v>:tar.gz:unix`` coordinates stop after 4.x and
do not resolve for 5.26), but it does carry every jar of the server. So a tiny
generated pom asks Maven for ``org.neo4j.app:neo4j-server`` plus ``org.neo4j:neo4j``
(the Community edition) and copies their runtime closure into a cache directory
outside the repository; the server then starts through its own entry point,
``org.neo4j.server.CommunityEntryPoint``, with a home and config directory we write.
The initial password is set with the server's own admin tool
(``org.neo4j.cli.AdminTool dbms set-initial-password``) before the first start.

Layout under ``$POWERMAP_CACHE_DIR`` (default ``~/.cache/powermap``)::

    neo4j-<version>/lib/*.jar          the server's jars (shared by every instance)
    instances/<name>/conf/neo4j.conf   loopback-only config
    instances/<name>/data, logs        the database and its logs
    instances/<name>/run/neo4j.pid     the pid of the server *we* started
    instances/<name>/password          the generated password (mode 0600)

The credentials are also written to the git-ignored env file (``POWERMAP_ENV_FILE``,
default ``.env``) that :func:`service.settings.load_settings` reads.

Where ``NEO4J_URI`` is set in the process environment, nothing here starts anything:
that server is used as configured.
"""

from __future__ import annotations

import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from neo4j import GraphDatabase
from neo4j.exceptions import AuthError, ServiceUnavailable

NEO4J_VERSION = os.environ.get("POWERMAP_NEO4J_VERSION", "5.26.30")
ENTRY_POINT = "org.neo4j.server.CommunityEntryPoint"
ADMIN_TOOL = "org.neo4j.cli.AdminTool"
Log = Callable[[str], None]

START_TIMEOUT_SECONDS = 180.0
STOP_TIMEOUT_SECONDS = 60.0

POM_TEMPLATE = """<project xmlns="http://maven.apache.org/POM/4.0.0">
  <modelVersion>4.0.0</modelVersion>
  <groupId>powermap.local</groupId>
  <artifactId>neo4j-community-runtime</artifactId>
  <version>1</version>
  <packaging>pom</packaging>
  <dependencies>
    <dependency>
      <groupId>org.neo4j.app</groupId><artifactId>neo4j-server</artifactId>
      <version>{version}</version>
    </dependency>
    <dependency>
      <groupId>org.neo4j</groupId><artifactId>neo4j</artifactId>
      <version>{version}</version>
    </dependency>
  </dependencies>
</project>
"""

# Sized for the 2-core / 24 GB machines this project runs on: enough page cache for the
# 100k-stakeholder benchmark to stay in memory, heap for the ingest transactions.
CONF_TEMPLATE = """# Written by `powermap neo4j start`; regenerated at every start.
server.default_listen_address=127.0.0.1
server.default_advertised_address=127.0.0.1
server.bolt.listen_address=127.0.0.1:{bolt_port}
server.bolt.advertised_address=127.0.0.1:{bolt_port}
server.http.enabled=false
server.https.enabled=false
server.memory.heap.initial_size={heap}
server.memory.heap.max_size={heap}
server.memory.pagecache.size={pagecache}
# Transaction memory (sized from the heap, see transaction_memory()): one transaction
# may use at most db.memory.transaction.max, all together db.memory.transaction.total.max;
# a query over either fails with a memory-limit error instead of exhausting the heap.
db.memory.transaction.max={tx_max}
db.memory.transaction.total.max={tx_total}
dbms.usage_report.enabled=false
db.transaction.timeout=0s
# A development and test server needs no point-in-time recovery from old logs: keep
# 512 MB of them (two 256 MB files), pruned at each checkpoint, not Neo4j's default of
# two days (the benchmarks' imports wrote 15 GB of logs into one instance that way).
db.tx_log.rotation.retention_policy=512M size
server.directories.data={data_dir}
server.directories.logs={logs_dir}
server.directories.run={run_dir}
"""


class LocalNeo4jError(RuntimeError):
    """The local server could not be fetched, configured or started."""


@dataclass(frozen=True)
class LocalInstance:
    """One named local server: its directories, port and credentials."""

    name: str
    bolt_port: int
    cache_dir: Path

    @property
    def lib_dir(self) -> Path:
        return self.cache_dir / f"neo4j-{NEO4J_VERSION}" / "lib"

    @property
    def home(self) -> Path:
        return self.cache_dir / "instances" / self.name

    @property
    def conf_dir(self) -> Path:
        return self.home / "conf"

    @property
    def pid_file(self) -> Path:
        return self.home / "run" / "neo4j.pid"

    @property
    def launch_file(self) -> Path:
        """The command line and config the running server was started with."""
        return self.home / "run" / "neo4j.launch"

    @property
    def password_file(self) -> Path:
        return self.home / "password"

    @property
    def console_log(self) -> Path:
        return self.home / "logs" / "console.log"

    @property
    def uri(self) -> str:
        return f"bolt://127.0.0.1:{self.bolt_port}"


def default_instance() -> LocalInstance:
    cache = Path(os.environ.get("POWERMAP_CACHE_DIR", Path.home() / ".cache" / "powermap"))
    return LocalInstance(
        name=os.environ.get("POWERMAP_NEO4J_INSTANCE", "default"),
        bolt_port=int(os.environ.get("POWERMAP_NEO4J_BOLT_PORT", "7687")),
        cache_dir=cache,
    )


def externally_configured_uri() -> str | None:
    """A server named in the process environment wins over any local one."""
    return os.environ.get("NEO4J_URI") or None


def _java() -> str:
    java_home = os.environ.get("JAVA_HOME")
    if java_home and (Path(java_home) / "bin" / "java").exists():
        return str(Path(java_home) / "bin" / "java")
    found = shutil.which("java")
    if not found:
        raise LocalNeo4jError("no `java` on PATH: Neo4j 5.26 needs a JDK 17 or 21")
    return found


def ensure_runtime(instance: LocalInstance, log: Log = print) -> Path:
    """Fetch the server's jars with Maven once; later calls reuse the cache."""
    lib = instance.lib_dir
    if lib.is_dir() and any(lib.glob("neo4j-server-*.jar")):
        return lib
    mvn = shutil.which("mvn")
    if not mvn:
        raise LocalNeo4jError("no `mvn` on PATH: needed once to fetch Neo4j from Maven Central")
    log(f"Fetching Neo4j {NEO4J_VERSION} Community from Maven Central (once) ...")
    lib.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=lib.parent) as work:
        pom = Path(work) / "pom.xml"
        pom.write_text(POM_TEMPLATE.format(version=NEO4J_VERSION))
        staging = Path(work) / "lib"
        result = subprocess.run(
            [
                mvn,
                "-B",
                "-q",
                "-f",
                str(pom),
                "dependency:copy-dependencies",
                f"-DoutputDirectory={staging}",
                "-DincludeScope=runtime",
            ],
            capture_output=True,
            text=True,
            check=False,
        )
        if result.returncode != 0:
            raise LocalNeo4jError(
                "Maven could not resolve the Neo4j server jars:\n"
                + (result.stdout + result.stderr)[-4000:]
            )
        # Atomic publish: a concurrent or interrupted fetch never leaves half a lib dir.
        staging.rename(lib)
    return lib


_SIZE = re.compile(r"^\s*(\d+)\s*([kmg]?)b?\s*$", re.IGNORECASE)
_UNIT = {"": 1, "k": 1 << 10, "m": 1 << 20, "g": 1 << 30}


def parse_size(text: str) -> int:
    """Bytes of a JVM/Neo4j-style size: ``"1g"``, ``"512m"``, ``"1048576"``.

    >>> parse_size("2g"), parse_size("512M"), parse_size("64k")
    (2147483648, 536870912, 65536)
    """
    match = _SIZE.match(text)
    if not match:
        raise LocalNeo4jError(f"not a size: {text!r} (write e.g. 1g or 512m)")
    return int(match.group(1)) * _UNIT[match.group(2).lower()]


def heap_bytes() -> int:
    """The heap of the local server, from ``POWERMAP_NEO4J_HEAP`` (default 4g)."""
    return parse_size(os.environ.get("POWERMAP_NEO4J_HEAP", "4g"))


def transaction_memory(heap: int) -> tuple[int, int]:
    """(per transaction, all transactions) memory caps in bytes, sized from the heap.

    All transactions together may use half the heap, one transaction a quarter: the
    rest stays for the server itself (query plans, caches, Bolt buffers), so a greedy
    query fails with a memory-limit error before it can starve the server. A 20,000-row
    ingest batch needs well under a quarter of a 1 GiB heap.

    >>> [b >> 20 for b in transaction_memory(1 << 30)]
    [256, 512]
    """
    return heap // 4, heap // 2


def jvm_memory_options(heap: int) -> list[str]:
    """-Xms/-Xmx for the JVM: the entry point is started directly, so neo4j.conf's
    ``server.memory.heap.*`` (read by Neo4j's own launcher script) would not apply."""
    mib = max(heap >> 20, 1)
    return [f"-Xms{mib}m", f"-Xmx{mib}m"]


def _write_config(instance: LocalInstance) -> None:
    for sub in ("conf", "data", "logs", "run"):
        (instance.home / sub).mkdir(parents=True, exist_ok=True)
    heap = heap_bytes()
    tx_max, tx_total = transaction_memory(heap)
    (instance.conf_dir / "neo4j.conf").write_text(
        CONF_TEMPLATE.format(
            bolt_port=instance.bolt_port,
            heap=f"{max(heap >> 20, 1)}m",
            tx_max=f"{tx_max >> 20}m",
            tx_total=f"{tx_total >> 20}m",
            pagecache=os.environ.get("POWERMAP_NEO4J_PAGECACHE", "2g"),
            data_dir=instance.home / "data",
            logs_dir=instance.home / "logs",
            run_dir=instance.home / "run",
        )
    )


def _java_env(instance: LocalInstance) -> dict[str, str]:
    env = dict(os.environ)
    env["NEO4J_HOME"] = str(instance.home)
    env["NEO4J_CONF"] = str(instance.conf_dir)
    return env


def _ensure_password(instance: LocalInstance, lib: Path) -> str:
    """The instance's password; generated and set before the very first start."""
    if instance.password_file.is_file():
        return instance.password_file.read_text().strip()
    if (instance.home / "data" / "dbms").exists():
        raise LocalNeo4jError(
            f"{instance.home} has a database but no password file; "
            "remove the instance directory to start afresh"
        )
    password = secrets.token_urlsafe(24)
    result = subprocess.run(
        [_java(), "-cp", f"{lib}/*", ADMIN_TOOL, "dbms", "set-initial-password", password],
        env=_java_env(instance),
        capture_output=True,
        text=True,
        check=False,
    )
    if result.returncode != 0:
        raise LocalNeo4jError("setting the initial password failed:\n" + result.stderr[-2000:])
    instance.password_file.write_text(password + "\n")
    instance.password_file.chmod(0o600)
    return password


def running_pid(instance: LocalInstance) -> int | None:
    """The pid from our pid file, if that process is alive and is a Neo4j we started."""
    try:
        pid = int(instance.pid_file.read_text().strip())
    except (FileNotFoundError, ValueError):
        return None
    try:
        cmdline = Path(f"/proc/{pid}/cmdline").read_bytes().decode(errors="replace")
    except FileNotFoundError:
        return None
    return pid if ENTRY_POINT in cmdline and str(instance.home) in cmdline else None


def _port_in_use(port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.settimeout(0.5)
        return sock.connect_ex(("127.0.0.1", port)) == 0


def bolt_answers(uri: str, user: str, password: str) -> bool:
    try:
        with GraphDatabase.driver(uri, auth=(user, password), connection_timeout=2) as driver:
            driver.verify_connectivity()
        return True
    except (ServiceUnavailable, OSError):
        return False


def write_env_file(path: Path, values: dict[str, str]) -> None:
    """Set ``values`` in a KEY=VALUE env file, keeping every other line."""
    lines = path.read_text().splitlines() if path.is_file() else []
    kept = [line for line in lines if line.split("=", 1)[0].strip() not in values]
    kept.extend(f"{key}={value}" for key, value in values.items())
    path.write_text("\n".join(kept) + "\n")
    path.chmod(0o600)


def start(instance: LocalInstance, env_file: Path, log: Log = print) -> str:
    """Start (or reuse) the instance and return its Bolt URI once Bolt answers."""
    external = externally_configured_uri()
    if external:
        log(f"NEO4J_URI is set ({external}); not starting a local Neo4j.")
        return external
    lib = ensure_runtime(instance, log)
    _write_config(instance)
    password = _ensure_password(instance, lib)
    write_env_file(
        env_file,
        {"NEO4J_URI": instance.uri, "NEO4J_USER": "neo4j", "NEO4J_PASSWORD": password},
    )
    launch = _launch_command(instance, lib)
    if running_pid(instance) is not None and _launched_with(instance) != _launch_record(
        instance, launch
    ):
        # Started by an older `powermap` or with other settings (heap, memory caps, port):
        # a server that kept its old settings would silently ignore the new ones.
        log("The running Neo4j was started with other settings; restarting it ...")
        stop(instance, log)
    if running_pid(instance) is not None:
        if _wait_for_bolt(instance, password, timeout=START_TIMEOUT_SECONDS):
            log(f"Neo4j already running at {instance.uri} (instance {instance.name}).")
            return instance.uri
        raise LocalNeo4jError(f"Neo4j pid {running_pid(instance)} is up but Bolt does not answer")
    if _port_in_use(instance.bolt_port):
        raise LocalNeo4jError(
            f"port {instance.bolt_port} is taken by another process; set "
            "POWERMAP_NEO4J_BOLT_PORT or NEO4J_URI"
        )
    log(f"Starting Neo4j {NEO4J_VERSION} on {instance.uri} (instance {instance.name}) ...")
    instance.console_log.parent.mkdir(parents=True, exist_ok=True)
    with instance.console_log.open("ab") as console:
        process = subprocess.Popen(
            launch,
            env=_java_env(instance),
            stdin=subprocess.DEVNULL,
            stdout=console,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # outlives `make`, stopped only by `powermap neo4j stop`
        )
    instance.pid_file.write_text(f"{process.pid}\n")
    instance.launch_file.write_text(_launch_record(instance, launch))
    deadline = time.monotonic() + START_TIMEOUT_SECONDS
    while time.monotonic() < deadline:
        if process.poll() is not None:
            instance.pid_file.unlink(missing_ok=True)
            raise LocalNeo4jError(
                f"Neo4j exited with code {process.returncode}; last lines of "
                f"{instance.console_log}:\n{_tail(instance.console_log)}"
            )
        if _wait_for_bolt(instance, password, timeout=2.0):
            log(f"Neo4j is ready at {instance.uri}.")
            return instance.uri
    raise LocalNeo4jError(f"Bolt did not answer within {START_TIMEOUT_SECONDS:.0f}s")


def _launch_command(instance: LocalInstance, lib: Path) -> list[str]:
    return [
        _java(),
        *jvm_memory_options(heap_bytes()),
        "-XX:+UseG1GC",
        "-XX:-OmitStackTraceInFastThrow",
        "-Djdk.tls.ephemeralDHKeySize=2048",
        "-cp",
        f"{lib}/*",
        ENTRY_POINT,
        f"--home-dir={instance.home}",
        f"--config-dir={instance.conf_dir}",
    ]


def _launch_record(instance: LocalInstance, launch: list[str]) -> str:
    """What a server was started with: its command line and its neo4j.conf."""
    conf = (instance.conf_dir / "neo4j.conf").read_text()
    return "\0".join(launch) + "\n" + conf


def _launched_with(instance: LocalInstance) -> str | None:
    try:
        return instance.launch_file.read_text()
    except FileNotFoundError:
        return None


def _wait_for_bolt(instance: LocalInstance, password: str, timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while True:
        try:
            if bolt_answers(instance.uri, "neo4j", password):
                return True
        except AuthError as exc:
            raise LocalNeo4jError(f"{instance.uri} refused our credentials: {exc}") from exc
        if time.monotonic() >= deadline:
            return False
        time.sleep(0.5)  # polling a readiness check, not waiting blindly


def stop(instance: LocalInstance, log: Log = print) -> bool:
    """Stop the server named by our pid file; never touches any other process."""
    pid = running_pid(instance)
    if pid is None:
        instance.pid_file.unlink(missing_ok=True)
        log(f"No local Neo4j running for instance {instance.name}.")
        return False
    os.kill(pid, signal.SIGTERM)
    deadline = time.monotonic() + STOP_TIMEOUT_SECONDS
    while time.monotonic() < deadline and running_pid(instance) is not None:
        time.sleep(0.5)
    if running_pid(instance) is not None:
        os.kill(pid, signal.SIGKILL)
    instance.pid_file.unlink(missing_ok=True)
    log(f"Stopped Neo4j (pid {pid}).")
    return True


def status(instance: LocalInstance) -> dict[str, object]:
    pid = running_pid(instance)
    return {
        "instance": instance.name,
        "version": NEO4J_VERSION,
        "uri": externally_configured_uri() or instance.uri,
        "external": externally_configured_uri() is not None,
        "running": pid is not None,
        "pid": pid,
        "home": str(instance.home),
        "runtime_cached": instance.lib_dir.is_dir(),
    }


def _tail(path: Path, lines: int = 40) -> str:
    try:
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
    except FileNotFoundError:
        return "(no log)"
