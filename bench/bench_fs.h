/*
 * What the benchmarks share about where they write: the file system under a
 * scratch folder, printed with every run because fsync cost and the page
 * cache differ between them (an SD card's ext4 is not the build machine's).
 */
#ifndef SIGNPOST_BENCH_FS_H
#define SIGNPOST_BENCH_FS_H

#include <sys/vfs.h>

static inline const char *bench_fs_name(const char *path)
{
    struct statfs sf;
    if (statfs(path, &sf) != 0)
        return "unknown";
    switch ((unsigned long)sf.f_type) {
    case 0xEF53UL: return "ext2/3/4";
    case 0x01021994UL: return "tmpfs";
    case 0x58465342UL: return "xfs";
    case 0x9123683EUL: return "btrfs";
    case 0x794C7630UL: return "overlayfs";
    case 0xF2F52010UL: return "f2fs";
    default: return "other";
    }
}

#endif
