#!/usr/bin/env python3
"""Stand-in for the Atelier server's POST /api/v1/register in tests/vm/bootenv_test.sh.

Usage: bootenv_register_server.py ADDRESS PORT OUTPUT_FILE
Records each POST body to OUTPUT_FILE (the last one wins) and answers 200 with a small JSON.
"""
import http.server
import sys


class Handler(http.server.BaseHTTPRequestHandler):
    def do_POST(self):
        if self.path != "/api/v1/register":
            self.send_error(404)
            return
        body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
        with open(sys.argv[3], "wb") as out:
            out.write(body)
        answer = b'{"status":"registered"}\n'
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(answer)))
        self.end_headers()
        self.wfile.write(answer)


http.server.HTTPServer((sys.argv[1], int(sys.argv[2])), Handler).serve_forever()
