"""python -m meetings [serve | db upgrade | units import PATH | admin create | demo seed |
audit verify]."""

from gevent import monkey

monkey.patch_all()  # must run before anything imports socket, ssl or threading

import argparse  # noqa: E402
import logging  # noqa: E402
import sys  # noqa: E402
from pathlib import Path  # noqa: E402

from meetings import admin_cli  # noqa: E402
from meetings.config import Config  # noqa: E402
from meetings.logging_setup import configure_logging  # noqa: E402

log = logging.getLogger("meetings")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m meetings", description="Phòng họp số")
    sub = parser.add_subparsers(dest="cmd")
    sub.add_parser("serve", help="apply migrations and serve (default)")
    db_cmd = sub.add_parser("db", help="database")
    db_cmd.add_argument("action", choices=["upgrade"])
    units = sub.add_parser("units", help="organisation tree")
    units.add_argument("action", choices=["import"])
    units.add_argument("path", type=Path)
    admin_cli.add_parser(sub)
    demo = sub.add_parser("demo", help="demo data")
    demo.add_argument("action", choices=["seed"])
    audit = sub.add_parser("audit", help="poll audit log")
    audit.add_argument("action", choices=["verify"])
    args = parser.parse_args(argv)

    configure_logging()
    config = Config.from_env()

    from meetings.migrate import upgrade

    upgrade(config.database_url)
    if args.cmd == "db":
        print("Đã cập nhật cơ sở dữ liệu.")
        return 0

    from meetings.app import create_app

    app = create_app(config)
    with app.app_context():
        if args.cmd == "units":
            from meetings.services.accounts.units import import_units

            if not args.path.is_file():
                print(f"Không tìm thấy tệp: {args.path}", file=sys.stderr)
                return 2
            counts = import_units(args.path)
            print(
                f"Đơn vị: {counts['total']} (mới {counts['created']}, cập nhật {counts['updated']})"
            )
            return 0
        if args.cmd == "admin":
            return admin_cli.create_admin(args)
        if args.cmd == "demo":
            from meetings.demo import seed_demo

            print("Tài khoản demo (tên đăng nhập / mật khẩu / vai trò):")
            for username, password, role in seed_demo():
                print(f"  {username:<12} {password:<12} {role}")
            return 0
        if args.cmd == "audit":
            from meetings.services.voting.audit_verify import verify

            problems = verify()
            for problem in problems:
                print(problem)
            print("Nhật ký biểu quyết toàn vẹn." if not problems else f"{len(problems)} vấn đề.")
            return 1 if problems else 0

    from meetings.extensions import socketio
    from meetings.realtime.beacon import start_beacon

    start_beacon()  # tells clients the meeting version: a missed event is noticed
    log.info("listening", extra={"host": config.host, "port": config.port})
    print(f"http://{config.host}:{config.port}/", flush=True)
    socketio.run(app, host=config.host, port=config.port, log_output=False)
    return 0


if __name__ == "__main__":
    sys.exit(main())
