#!/usr/bin/env bash
# Assembles a wasi-sdk-shaped prefix (bin/clang++, share/wasi-sysroot) from Debian's
# clang-NN + wasi-libc + libc++-NN-dev-wasm32 packages, to check toolchain/wasi-sdk.cmake
# where wasi-sdk itself cannot be downloaded.  Usage: assemble-wasi-sdk.sh PREFIX [NN]
set -euo pipefail
prefix=${1:?usage: assemble-wasi-sdk.sh PREFIX [clang-major]}
v=${2:-19}
need=(/usr/bin/clang-$v /usr/bin/clang++-$v /usr/include/wasm32-wasi /usr/lib/wasm32-wasi/libc.a
      /usr/lib/llvm-$v/include/wasm32-wasi/c++/v1 /usr/lib/wasm32-wasi/libc++.a)
for p in "${need[@]}"; do
  [ -e "$p" ] || { echo "assemble-wasi-sdk: missing $p (apt-get install clang-$v lld-$v wasi-libc libc++-$v-dev-wasm32 libc++abi-$v-dev-wasm32 libclang-rt-$v-dev-wasm32)" >&2; exit 1; }
done
rm -rf "$prefix"
mkdir -p "$prefix/bin" "$prefix/share/wasi-sysroot/include/wasm32-wasi" "$prefix/share/wasi-sysroot/lib"
for t in clang clang++; do ln -s "/usr/bin/$t-$v" "$prefix/bin/$t"; done
for t in llvm-ar llvm-ranlib llvm-nm llvm-strip wasm-ld; do
  [ -e "/usr/bin/$t-$v" ] && ln -s "/usr/bin/$t-$v" "$prefix/bin/$t"
done
# wasi-sdk keeps libc and libc++ headers in one multiarch include directory.
cp -rs /usr/include/wasm32-wasi/. "$prefix/share/wasi-sysroot/include/wasm32-wasi/"
if [ ! -e "$prefix/share/wasi-sysroot/include/wasm32-wasi/c++/v1/__config" ]; then
  rm -rf "$prefix/share/wasi-sysroot/include/wasm32-wasi/c++"
  mkdir -p "$prefix/share/wasi-sysroot/include/wasm32-wasi/c++"
  ln -s "/usr/lib/llvm-$v/include/wasm32-wasi/c++/v1" "$prefix/share/wasi-sysroot/include/wasm32-wasi/c++/v1"
fi
ln -s /usr/lib/wasm32-wasi "$prefix/share/wasi-sysroot/lib/wasm32-wasi"
echo "assembled wasi-sdk-shaped prefix at $prefix"
