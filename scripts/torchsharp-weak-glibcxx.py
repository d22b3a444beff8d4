#!/usr/bin/env python3
"""Lets TorchSharp-cpu 0.107's native glue load on a libstdc++ older than GCC 13 (Debian 12 ships GCC 12's).

libLibTorchSharp.so was linked against GCC 13's libstdc++ and so asks for the symbol version GLIBCXX_3.4.32, which
Debian 12's libstdc++.so.6 does not define: the loader refuses the library ("version `GLIBCXX_3.4.32' not found").
The only symbol of that version it uses is std::ios_base_library_init(), which GCC 13's <iostream> references
(with no relocation, so nothing ever calls it through this library) only to pull iostream initialization in.

This script marks that version requirement weak: in the ELF .gnu.version_r section it sets VER_FLG_WEAK (0x2) in
the flags of the Vernaux entry named GLIBCXX_3.4.32. glibc's loader then accepts a missing weak version (it would
print a note only under LD_DEBUG). Nothing else in the file changes: no size, no offset, no code.

Usage: torchsharp-weak-glibcxx.py PATH...   (a .so file, or a folder searched for libLibTorchSharp.so)
Idempotent: a file already patched, or one that needs no patch, is left as it is. Run on the build output's copy,
never on the NuGet cache.
"""
import os
import struct
import sys

VERSION = b"GLIBCXX_3.4.32"
SHT_GNU_VERNEED = 0x6FFFFFFE
VER_FLG_WEAK = 0x2


def patch(path):
    with open(path, "r+b") as f:
        data = bytearray(f.read())
        if data[:4] != b"\x7fELF" or data[4] != 2 or data[5] != 1:
            raise SystemExit(f"{path}: not a little-endian 64-bit ELF file")
        # ELF64 header: section header table offset, entry size, count.
        shoff, = struct.unpack_from("<Q", data, 0x28)
        shentsize, shnum = struct.unpack_from("<HH", data, 0x3A)
        sections = [struct.unpack_from("<IIQQQQIIQQ", data, shoff + i * shentsize) for i in range(shnum)]
        changed = found = False
        for name, stype, flags, addr, offset, size, link, info, align, entsize in sections:
            if stype != SHT_GNU_VERNEED:
                continue
            strtab_offset = sections[link][4]  # sh_link: the string table of the version names
            need = offset
            for _ in range(info):  # sh_info: number of Verneed entries
                vn_version, vn_cnt, vn_file, vn_aux, vn_next = struct.unpack_from("<HHIII", data, need)
                aux = need + vn_aux
                for _ in range(vn_cnt):
                    vna_hash, vna_flags, vna_other, vna_name, vna_next = struct.unpack_from("<IHHII", data, aux)
                    end = data.index(0, strtab_offset + vna_name)
                    if bytes(data[strtab_offset + vna_name:end]) == VERSION:
                        found = True
                        if not vna_flags & VER_FLG_WEAK:
                            struct.pack_into("<H", data, aux + 4, vna_flags | VER_FLG_WEAK)
                            changed = True
                    aux += vna_next
                need += vn_next
        if changed:
            f.seek(0)
            f.write(data)
        state = "patched" if changed else ("already weak" if found else f"does not need {VERSION.decode()}")
        print(f"{path}: {state}")


def main(paths):
    if not paths:
        raise SystemExit(__doc__)
    for path in paths:
        if os.path.isdir(path):
            hits = [os.path.join(d, "libLibTorchSharp.so") for d, _, files in os.walk(path) if "libLibTorchSharp.so" in files]
            if not hits:
                raise SystemExit(f"{path}: no libLibTorchSharp.so below it")
            for hit in hits:
                patch(hit)
        else:
            patch(path)


if __name__ == "__main__":
    main(sys.argv[1:])
