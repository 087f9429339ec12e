# A TLS client that keeps its session between connections, as a device resuming after a reconnect does.
# Arguments: host port ca-file cert-file|- key-file|- version(1.2|1.3) client-id
# Each "connect" line on standard input opens one connection (resuming the saved session, if any), sends an
# MQTT 3.1.1 CONNECT, reads the CONNACK and prints one JSON line; "forget" drops the saved session.
import json
import socket
import ssl
import sys

host, port, ca, cert, key, version, client_id = sys.argv[1:8]
context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
context.load_verify_locations(ca)
if cert != "-":
    context.load_cert_chain(cert, key)
context.minimum_version = context.maximum_version = {"1.2": ssl.TLSVersion.TLSv1_2,
                                                     "1.3": ssl.TLSVersion.TLSv1_3}[version]
cid = client_id.encode()
body = b"\x00\x04MQTT\x04\x02\x00\x3c" + len(cid).to_bytes(2, "big") + cid
connect = bytes([0x10, len(body)]) + body
session = None

for line in sys.stdin:
    command = line.strip()
    if command == "forget":
        session = None
        print(json.dumps({}), flush=True)
        continue
    if command != "connect":
        break
    out = {"reused": None, "connack": None, "lifetime": None, "error": None, "protocol": None}
    try:
        with socket.create_connection((host, int(port)), timeout=15) as raw:
            with context.wrap_socket(raw, server_hostname="localhost", session=session) as tls:
                out["reused"] = tls.session_reused
                out["protocol"] = tls.version()
                tls.sendall(connect)
                answer = b""
                while len(answer) < 4:
                    chunk = tls.recv(4 - len(answer))
                    if not chunk:
                        break
                    answer += chunk
                if len(answer) == 4 and answer[0] == 0x20:
                    out["connack"] = answer[3]
                    tls.sendall(b"\xe0\x00")
                if tls.session is not None and out["connack"] == 0:
                    session = tls.session
                    out["lifetime"] = session.ticket_lifetime_hint if session.has_ticket else session.timeout
    except ssl.SSLError as e:
        out["error"] = e.reason or str(e)
    except OSError as e:
        out["error"] = type(e).__name__ + ": " + str(e)
    print(json.dumps(out), flush=True)
