#!/bin/sh
# Builds tests/data/imager/sysfs-laptop: a hand-made sysfs/procfs tree shaped like a ThinkPad X240
# (Haswell i5-4300U, SATA SSD, NVMe, USB stick, SATA HDD, DVD drive, e1000e + iwlwifi, worn battery,
# UEFI with Secure Boot on, TPM 2.0, webcam). Links are relative, as in the real sysfs, so the tree
# works from any checkout. Re-run after changing it: sh make-sysfs-laptop.sh (from this directory).
set -eu
R=sysfs-laptop
rm -rf "$R"
w() { mkdir -p "$(dirname "$R/$1")"; printf '%s\n' "$2" > "$R/$1"; }
l() { mkdir -p "$(dirname "$R/$1")"; ln -s "$2" "$R/$1"; }
P=sys/devices/pci0000:00

# --- block devices --------------------------------------------------------------------------------
disk() { # name parent-dir size rotational removable [physical-block-size]; SCSI disks sit in parent/block/,
  # NVMe namespaces directly in the controller's directory (set NS=1)
  b="$2/block/$1"; [ "${NS:-0}" = 1 ] && b="$2/$1"
  w "$b/size" "$3"; w "$b/removable" "$5"
  w "$b/queue/rotational" "$4"
  w "$b/queue/logical_block_size" 512; w "$b/queue/physical_block_size" "${6:-512}"
  l "sys/block/$1" "../${b#sys/}"
}
SDA=$P/0000:00:1f.2/ata1/host0/target0:0:0/0:0:0:0
w $SDA/model "Samsung SSD 860 EVO 250GB"; w $SDA/vendor "ATA     "; w $SDA/rev "4B6Q"
mkdir -p $R/$SDA && printf '\000\200\000\017S3YJNX0K123456L' > $R/$SDA/vpd_pg80
disk sda $SDA 488397168 0 0
l $SDA/block/sda/device ../../../0:0:0:0
SDC=$P/0000:00:1f.2/ata2/host1/target1:0:0/1:0:0:0
w $SDC/model "WDC WD5000LPVX-0"; w $SDC/vendor "ATA     "; w $SDC/rev "1A01"
disk sdc $SDC 976773168 1 0 4096
l $SDC/block/sdc/device ../../../1:0:0:0
NV=$P/0000:00:1c.0/0000:3d:00.0/nvme/nvme0
w $NV/model "SAMSUNG MZVLB256HAHQ-000L7"; w $NV/serial "S41GNX0M123456"; w $NV/firmware_rev "4L2QEXA7"
NS=1 disk nvme0n1 $NV 500118192 0 0
w $NV/nvme0n1/wwid "eui.0025388b91b2c3d4"
l $NV/nvme0n1/device ../../nvme0
USB=$P/0000:00:14.0/usb2/2-1/2-1:1.0/host2/target2:0:0/2:0:0:0
w $USB/model "Cruzer Blade"; w $USB/vendor "SanDisk "
disk sdb $USB 30031872 1 1
l $USB/block/sdb/device ../../../2:0:0:0
SR=$P/0000:00:1f.2/ata3/host3/target3:0:0/3:0:0:0
w $SR/model "DVD-RAM UJ8E2"; w $SR/vendor "MATSHITA"
disk sr0 $SR 2097151 1 1 2048
l $SR/block/sr0/device ../../../3:0:0:0
for v in loop0 zram0 dm-0; do w sys/devices/virtual/block/$v/size 2048; l sys/block/$v ../devices/virtual/block/$v; done

# --- PCI ------------------------------------------------------------------------------------------
mkdir -p $R/sys/bus/pci/drivers/i915 $R/sys/bus/pci/drivers/e1000e $R/sys/bus/pci/drivers/iwlwifi \
  $R/sys/bus/pci/drivers/nvme $R/sys/bus/pci/drivers/xhci_hcd $R/sys/bus/pci/drivers/ahci
pci() { # slot class vendor device driver
  d=$P/$1; [ "${1#*/}" != "$1" ] && d=$P/$1
  w $d/class "$2"; w $d/vendor "$3"; w $d/device "$4"; w $d/subsystem_vendor 0x17aa; w $d/subsystem_device 0x220c
  up=$(echo "${d#sys/}" | sed 's|[^/]*|..|g')
  l $d/driver "$up/bus/pci/drivers/$5"
  l "sys/bus/pci/devices/$(basename $d)" "../../../${d#sys/}"
}
pci 0000:00:02.0 0x030000 0x8086 0x0a16 i915
pci 0000:00:14.0 0x0c0330 0x8086 0x9c31 xhci_hcd
pci 0000:00:19.0 0x020000 0x8086 0x155a e1000e
pci 0000:00:1f.2 0x010601 0x8086 0x9c03 ahci
pci 0000:00:1c.0/0000:3d:00.0 0x010802 0x144d 0xa808 nvme
pci 0000:00:1c.1/0000:03:00.0 0x028000 0x8086 0x08b1 iwlwifi

# --- network --------------------------------------------------------------------------------------
net() { # name devdir mac speed operstate
  w $2/net/$1/address "$3"; w $2/net/$1/operstate "$5"; [ -n "$4" ] && w $2/net/$1/speed "$4"
  l $2/net/$1/device ../../../$(basename $2)
  l sys/class/net/$1 ../../${2#sys/}/net/$1
}
net enp0s25 $P/0000:00:19.0 "54:ee:75:12:34:56" 1000 up
net wlp3s0 $P/0000:00:1c.1/0000:03:00.0 "60:57:18:ab:cd:ef" "" down
mkdir -p $R/$P/0000:00:1c.1/0000:03:00.0/net/wlp3s0/wireless
w sys/devices/virtual/net/lo/address "00:00:00:00:00:00"; l sys/class/net/lo ../../devices/virtual/net/lo
w sys/devices/virtual/net/docker0/address "02:42:ac:11:00:01"; l sys/class/net/docker0 ../../devices/virtual/net/docker0

# --- power supplies -------------------------------------------------------------------------------
B=sys/class/power_supply
w $B/BAT0/type Battery; w $B/BAT0/manufacturer SANYO; w $B/BAT0/model_name 45N1111
w $B/BAT0/serial_number " 1234"; w $B/BAT0/technology Li-ion; w $B/BAT0/status Discharging
w $B/BAT0/energy_full_design 23480000; w $B/BAT0/energy_full 16200000; w $B/BAT0/cycle_count 412
w $B/BAT1/type Battery; w $B/BAT1/charge_full_design 2090000; w $B/BAT1/charge_full 2000000; w $B/BAT1/cycle_count 0
w $B/AC/type Mains; w $B/AC/online 1
w $B/hidpp_battery_0/type Battery; w $B/hidpp_battery_0/scope Device; w $B/hidpp_battery_0/capacity_level Normal

# --- firmware, TPM, webcam, DMI ---------------------------------------------------------------------
G=8be4df61-93ca-11d2-aa0d-00e098032b8c
mkdir -p $R/sys/firmware/efi/efivars
printf '\006\000\000\000\001' > $R/sys/firmware/efi/efivars/SecureBoot-$G
printf '\006\000\000\000\000' > $R/sys/firmware/efi/efivars/SetupMode-$G
w sys/class/tpm/tpm0/tpm_version_major 2
w sys/class/video4linux/video0/name "Integrated Camera: Integrated C"; w sys/class/video4linux/video0/index 0
w sys/class/video4linux/video1/name "Integrated Camera: Integrated C"; w sys/class/video4linux/video1/index 1
I=sys/class/dmi/id
w $I/sys_vendor LENOVO; w $I/product_name 20AL009CMZ; w $I/product_version "ThinkPad X240"
w $I/product_serial "PC01ABCD"; w $I/product_uuid "4c4c4544-0042-3510-8052-b4c04f4b5731"
w $I/board_vendor LENOVO; w $I/board_name 20AL009CMZ; w $I/board_serial "L1HF45X00AB"
w $I/chassis_type 10; w $I/chassis_vendor LENOVO; w $I/chassis_serial "Not Available"
w $I/bios_vendor LENOVO; w $I/bios_version "GIET90WW (2.40 )"; w $I/bios_date 10/25/2019

# --- CPU and memory -------------------------------------------------------------------------------
mkdir -p $R/proc
cp cpuinfo/haswell-i5-4300u.txt $R/proc/cpuinfo
printf 'MemTotal:        8036352 kB\nMemFree:         6000000 kB\n' > $R/proc/meminfo
w sys/devices/system/cpu/cpu0/cpufreq/cpuinfo_max_freq 2900000
w sys/devices/system/cpu/cpu0/cpufreq/cpuinfo_min_freq 800000

# git keeps no empty directories: mark each one so a clean clone has the same tree.
find "$R" -type d -empty -exec sh -c 'echo "# keeps this directory in git" > "$1/.keep"' _ {} \;
