import socket, subprocess, time, struct, sys, os
def run(tag, extra):
    sock = f"/tmp/qsm/mon-{tag}.sock"
    if os.path.exists(sock): os.remove(sock)
    p = subprocess.Popen(["qemu-system-x86_64", "-machine", extra[0], "-m", "2048", "-smp", "2,cores=2", "-display", "none",
        "-bios", "/usr/share/seabios/bios-256k.bin", "-nodefaults", "-net", "none",
        "-smbios", "type=1,manufacturer=Atelier Test,product=QEMU Fixture PC,version=1.0,serial=ATL-0001,uuid=12345678-9abc-def0-1122-334455667788,sku=SKU42,family=Fixtures",
        "-smbios", "type=0,vendor=SeaBIOS test,version=rel-1.16,date=04/01/2014",
        "-smbios", "type=3,manufacturer=Atelier Test,serial=CHASSIS-01,asset=ASSET-7",
        "-monitor", f"unix:{sock},server,nowait"] + extra[1:])
    time.sleep(6)
    s = socket.socket(socket.AF_UNIX); s.connect(sock); time.sleep(0.3); s.recv(65536)
    def cmd(c):
        s.sendall((c+"\n").encode()); time.sleep(1.5); r=s.recv(65536);  return r
    cmd(f"pmemsave 0xf0000 0x10000 \"/tmp/qsm/fseg-{tag}.bin\"")
    time.sleep(0.5)
    d = open(f"/tmp/qsm/fseg-{tag}.bin","rb").read()
    found=False
    for off in range(0, len(d), 16):
        if d[off:off+5] == b"_SM3_":
            ln = d[off+6]; addr = struct.unpack_from("<Q", d, off+0x10)[0]; size = struct.unpack_from("<I", d, off+0x0C)[0]
            open(f"/tmp/qsm/{tag}-entry.bin","wb").write(d[off:off+ln]); found=True
        elif d[off:off+4] == b"_SM_":
            ln = d[off+5]; size = struct.unpack_from("<H", d, off+0x16)[0]; addr = struct.unpack_from("<I", d, off+0x18)[0]
            open(f"/tmp/qsm/{tag}-entry.bin","wb").write(d[off:off+ln]); found=True
        else: continue
        print(tag, hex(off), ln, hex(addr), size)
        cmd(f"pmemsave {addr} {size} \"/tmp/qsm/{tag}-DMI.bin\""); time.sleep(0.5)
        break
    cmd("quit"); p.wait(timeout=10)
    print(tag, "found", found)
run("smbios2", ["pc", ])
run("smbios3", ["q35,smbios-entry-point-type=64"])
