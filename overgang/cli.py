"""The ``overgang`` command: the command-line face of an installation.

``overgang <command> [options]`` runs the management command of that name, e.g.
``overgang migrate``, ``overgang audit verify``. ``overgang demo`` first prepares a
demo environment (SQLite under ``var/``, keys generated there) so that it runs on a
fresh machine with no configuration.
"""

import os
import secrets
import sys
from pathlib import Path


def _write_secret(path: Path, value: str):
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write(value + "\n")


CONFIGURATION_VARIABLES = ("OVERGANG_MODE", "DATABASE_URL", "SECRET_KEY", "SECRET_KEY_FILE")


def _var_dir() -> Path:
    return Path(os.environ.get("OVERGANG_VAR_DIR", Path(__file__).resolve().parent.parent / "var"))


def _uses_demo_installation(argv) -> bool:
    """``overgang demo``, or any command on a machine with a demo and no other configuration."""
    if argv and argv[0] == "demo":
        return True
    if any(os.environ.get(name) for name in CONFIGURATION_VARIABLES):
        return False
    return (_var_dir() / "demo.sqlite3").exists()


def prepare_demo_environment():
    """Demo mode with its own generated keys under var/, unless already configured."""
    from cryptography.fernet import Fernet

    var = _var_dir()
    secret_file = var / "demo-secret-key"
    keys_file = var / "demo-field-keys"
    if not secret_file.exists():
        _write_secret(secret_file, secrets.token_urlsafe(64))
    audit_file = var / "demo-audit-key"
    if not keys_file.exists():
        _write_secret(keys_file, Fernet.generate_key().decode())
    if not audit_file.exists():
        _write_secret(audit_file, secrets.token_urlsafe(48))
    os.environ.setdefault("OVERGANG_MODE", "demo")
    os.environ.setdefault("OVERGANG_VAR_DIR", str(var))
    os.environ.setdefault("SECRET_KEY_FILE", str(secret_file))
    os.environ.setdefault("OVERGANG_FIELD_KEYS_FILE", str(keys_file))
    os.environ.setdefault("OVERGANG_AUDIT_KEYS_FILE", str(audit_file))
    os.environ.setdefault("DATABASE_URL", f"sqlite:///{(var / 'demo.sqlite3').resolve()}")
    if not os.environ["DATABASE_URL"].startswith("sqlite:"):
        sys.exit("overgang demo runs on SQLite only; unset DATABASE_URL.")


# The demo municipality (overgang.accounts.demo.DEMO_MUNICIPALITY; a test keeps them equal),
# named here because the SAML demo's role map is written before Django is set up.
DEMO_MUNICIPALITY = "Demokommune"


def prepare_saml_demo(argv):
    """``overgang demo --saml``: a test IdP on the next port and SAML settings pointing at it."""
    from overgang.sso.testidp import start_demo

    port = 8000
    if "--port" in argv and argv.index("--port") + 1 < len(argv):
        port = int(argv[argv.index("--port") + 1])
    _idp, environment = start_demo(_var_dir() / "sso-demo", port, DEMO_MUNICIPALITY)
    os.environ.update(environment)


def main(argv=None):
    argv = list(sys.argv[1:] if argv is None else argv)
    if _uses_demo_installation(argv):
        if not argv or argv[0] != "demo":
            print(
                f"Bruger demo-installationen i {_var_dir()} / Using the demo installation in {_var_dir()}",
                file=sys.stderr,
            )
        prepare_demo_environment()
        if argv and argv[0] == "demo" and "--saml" in argv:
            prepare_saml_demo(argv)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "overgang.settings")
    from django.core.exceptions import ImproperlyConfigured
    from django.core.management import execute_from_command_line

    try:
        execute_from_command_line(["overgang", *argv])
    except ImproperlyConfigured as exc:
        sys.exit(f"Opsætningsfejl / Configuration error: {exc}")


if __name__ == "__main__":
    main()
