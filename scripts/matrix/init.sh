#!/bin/busybox sh
# init of the kernel-matrix guest: load virtio/9p/overlay, mount the host's / read-only under a tmpfs
# overlay, run /tcptrace-cmd/run.sh in it, write its exit code back through the second 9p share.
/bin/busybox --install -s /bin
mount -t proc proc /proc
mount -t sysfs sys /sys
mount -t devtmpfs dev /dev
for m in $(cat /modules.order); do insmod "/modules/$m.ko" 2>/dev/null; done
mkdir -p /lower /upper /newroot
mount -t 9p -o trans=virtio,version=9p2000.L,ro,msize=512000 hostroot /lower || { echo "tcp-trace-matrix: no hostroot"; poweroff -f; }
mount -t tmpfs -o size=2g tmpfs /upper
mkdir -p /upper/u /upper/w
mount -t overlay overlay -o lowerdir=/lower,upperdir=/upper/u,workdir=/upper/w /newroot || { echo "tcp-trace-matrix: overlay failed"; poweroff -f; }
mkdir -p /newroot/tcptrace-cmd
mount -t 9p -o trans=virtio,version=9p2000.L,msize=512000 cmd /newroot/tcptrace-cmd
chroot /newroot /bin/sh -c '
  mount -t proc proc /proc; mount -t sysfs sys /sys; mount -t devtmpfs dev /dev
  mkdir -p /dev/pts /dev/shm; mount -t devpts devpts /dev/pts; mount -t tmpfs tmpfs /dev/shm
  # devtmpfs has no fd/std* links (udev or systemd make them): bpftrace 0.2x compiles through /dev/fd/N
  ln -sf /proc/self/fd /dev/fd; ln -sf /proc/self/fd/0 /dev/stdin; ln -sf /proc/self/fd/1 /dev/stdout; ln -sf /proc/self/fd/2 /dev/stderr
  # /tmp stays on the overlay (writable, in RAM): a checkout under the host /tmp must stay visible
  mount -t tmpfs tmpfs /run
  mount -t tracefs tracefs /sys/kernel/tracing; mount -t debugfs debugfs /sys/kernel/debug
  mount -t bpf bpf /sys/fs/bpf; mount -t cgroup2 cgroup2 /sys/fs/cgroup
  ip link set lo up
  # the host watches for this line: a guest that never gets here is booted again
  echo "tcp-trace-matrix: booted"
  sh /tcptrace-cmd/run.sh > /tcptrace-cmd/output.log 2>&1
  echo $? > /tcptrace-cmd/exit
  sync
'
poweroff -f
