// The test guest's /init: busybox sh as PID 1. It loads the modules the builder packed, prints
// a ready line, powers off on the ACPI power button (unless booted with vk.acpi=ignore, the
// guest that ignores ACPI), and then once a second onlines hot-plugged CPUs and prints one
// status line with what the tests check: memory the kernel manages (the balloon shrinks and
// grows MemTotal), online CPUs, NICs, block devices and the first line of /id.txt on the cdrom.
// A cdrom holding a cloud-init seed (/user-data) has its user-data printed, base64, whenever it
// differs from what was printed last, so tests compare what the guest reads byte for byte.
//
// Lines the tests parse (see console.ts):
//   VK-READY kernel=<release> boot=<boot id> (new on every boot: tells a restart)
//   VK-STATUS memtotal_kib=<n> nproc=<n> nics=<a,b> blocks=<a,b> cdrom=<text|cidata|empty|none>
//   VK-USERDATA <base64 of /user-data on the cdrom>
//   VK-POWEROFF
export const GUEST_INIT = `#!/bin/busybox sh
/bin/busybox --install -s /bin
export PATH=/bin
mount -t proc proc /proc
mount -t sysfs sys /sys
mount -t devtmpfs dev /dev
mkdir -p /mnt /tmp
for m in $(cat /modules.load); do insmod /modules/$m.ko 2>/dev/null; done
echo "VK-READY kernel=$(uname -r) boot=$(cat /proc/sys/kernel/random/boot_id)"
power_button() {
  for e in /sys/class/input/event*; do
    if [ "$(cat $e/device/name 2>/dev/null)" = "Power Button" ]; then echo /dev/input/\${e##*/}; return; fi
  done
}
if grep -q 'vk.acpi=ignore' /proc/cmdline; then
  echo "VK-ACPI ignored"
else
  pb=$(power_button)
  if [ -n "$pb" ]; then
    ( dd if=$pb bs=24 count=1 >/dev/null 2>&1; echo "VK-POWEROFF"; sync; poweroff -f ) &
    echo "VK-ACPI $pb"
  else
    echo "VK-ACPI none"
  fi
fi
list() { ls "$1" 2>/dev/null | grep -v "$2" | tr '\\n' ',' | sed 's/,$//'; }
while :; do
  for c in /sys/devices/system/cpu/cpu[0-9]*/online; do
    [ "$(cat $c 2>/dev/null)" = 0 ] && echo 1 > $c 2>/dev/null
  done
  mem=$(awk '/^MemTotal:/ {print $2}' /proc/meminfo)
  cd=none
  if [ -b /dev/sr0 ] && mount -t iso9660 -o ro /dev/sr0 /mnt 2>/dev/null; then
    cd=$(head -n 1 /mnt/id.txt 2>/dev/null | tr -d ' ')
    if [ -f /mnt/user-data ]; then
      sum=$(md5sum /mnt/user-data | cut -d' ' -f1)
      [ "$sum" != "$ud_sum" ] && ud_sum=$sum && echo "VK-USERDATA $(base64 -w 0 /mnt/user-data)"
      [ -z "$cd" ] && cd=cidata
    fi
    umount /mnt
  fi
  echo "VK-STATUS memtotal_kib=$mem nproc=$(nproc) nics=$(list /sys/class/net '^lo$') blocks=$(list /sys/block '^loop\\|^ram') cdrom=\${cd:-empty}"
  sleep 1
done
`;

/** Modules the guest needs (their dependencies are added by the builder). */
export const GUEST_MODULES = [
  'virtio_pci',
  'virtio_balloon',
  'virtio_net',
  'virtio_blk',
  'button',
  'evdev',
  'ata_piix',
  'sr_mod',
  'isofs',
] as const;
