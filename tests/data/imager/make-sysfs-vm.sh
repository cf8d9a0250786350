#!/bin/sh
# Builds tests/data/imager/sysfs-vm: the block device, NIC and PCI values captured from the build
# machine (a cloud VM with virtio disk and NIC, no DMI in sysfs), plus QEMU's SMBIOS tables from
# smbios/qemu-pc-2.8 and the build machine's /proc/cpuinfo, so one tree exercises the SMBIOS path.
set -eu
R=sysfs-vm
rm -rf "$R"
w() { mkdir -p "$(dirname "$R/$1")"; printf '%s\n' "$2" > "$R/$1"; }
l() { mkdir -p "$(dirname "$R/$1")"; ln -s "$2" "$R/$1"; }
P=sys/devices/pci0000:00
V=$P/0000:00:02.0/virtio1
w $V/block/vda/size 536870912; w $V/block/vda/removable 0; w $V/block/vda/serial overlayblk
w $V/block/vda/queue/rotational 1; w $V/block/vda/queue/logical_block_size 512
w $V/block/vda/queue/physical_block_size 4096; w $V/vendor 0x1af4
l $V/block/vda/device ../../../virtio1
l sys/block/vda ../devices/pci0000:00/0000:00:02.0/virtio1/block/vda
w sys/devices/virtual/block/zram0/size 0; l sys/block/zram0 ../devices/virtual/block/zram0
mkdir -p $R/sys/bus/virtio/drivers/virtio_net $R/sys/bus/pci/drivers/virtio-pci
N=$P/0000:00:03.0/virtio2
w $N/net/eth0/address 02:fc:00:00:00:01; w $N/net/eth0/speed -1; w $N/net/eth0/operstate up
l $N/net/eth0/device ../../../virtio2; l $N/driver ../../../../bus/virtio/drivers/virtio_net
l sys/class/net/eth0 ../../devices/pci0000:00/0000:00:03.0/virtio2/net/eth0
w sys/devices/virtual/net/ifb0/address 00:00:00:00:00:00; l sys/class/net/ifb0 ../../devices/virtual/net/ifb0
w sys/devices/virtual/net/lo/address 00:00:00:00:00:00; l sys/class/net/lo ../../devices/virtual/net/lo
pci() { w $P/$1/class $2; w $P/$1/vendor $3; w $P/$1/device $4; l sys/bus/pci/devices/$1 ../../../devices/pci0000:00/$1; }
pci 0000:00:00.0 0x060000 0x8086 0x0d57
pci 0000:00:02.0 0x018000 0x1af4 0x1042
pci 0000:00:03.0 0x020000 0x1af4 0x1041
l $P/0000:00:02.0/driver ../../../bus/pci/drivers/virtio-pci
mkdir -p $R/sys/firmware/dmi/tables $R/proc
cp smbios/qemu-pc-2.8/smbios_entry_point smbios/qemu-pc-2.8/DMI $R/sys/firmware/dmi/tables/
cp cpuinfo/cloud-vm-amd-epyc.txt $R/proc/cpuinfo
printf 'MemTotal:       2030000 kB\nMemFree:        1000000 kB\n' > $R/proc/meminfo

# git keeps no empty directories: mark each one so a clean clone has the same tree.
find "$R" -type d -empty -exec sh -c 'echo "# keeps this directory in git" > "$1/.keep"' _ {} \;
