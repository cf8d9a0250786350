#!/usr/bin/env python3
"""Stand-in for the Atelier server's agent API in tests/vm/bootenv_test.sh.

Usage: bootenv_register_server.py ADDRESS PORT OUTPUT_FILE
POST /api/v1/register: records the body to OUTPUT_FILE (the last one wins, replaced atomically so
the test never reads half a file), appends a line to OUTPUT_FILE.count and answers 200.
POST /api/v1/next: 409 with "stop": true, as atelierd answers an agent whose unit is out of the
pipeline, so the agent that init starts stops at once.
"""
import http.server
import os
import sys


class Handler(http.server.BaseHTTPRequestHandler):
    def answer(self, status, body):
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
        if self.path == "/api/v1/register":
            with open(sys.argv[3] + ".tmp", "wb") as out:
                out.write(body)
            os.replace(sys.argv[3] + ".tmp", sys.argv[3])
            with open(sys.argv[3] + ".count", "a") as count:
                count.write("register\n")
            self.answer(200, b'{"unit":"AT-0001-7","state":"inventoried","outcome":"created"}\n')
        elif self.path == "/api/v1/next":
            self.answer(409, b'{"error":"stand-in server: no pipeline here","stop":true}\n')
        else:
            self.send_error(404)


http.server.HTTPServer((sys.argv[1], int(sys.argv[2])), Handler).serve_forever()
