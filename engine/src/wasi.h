// The WASI functions Envoy's host provides, over the host model: stdout and
// stderr become logs, clocks read the host's clock, everything file-like is refused with
// the errno Envoy returns.
#pragma once

#include <cstdint>

#include "proxy_wasm/host/model.h"
#include "wasm_memory.h"

namespace proxy_wasm::engine::wasi {

using host::Model;
using Mem = WasmMemory;
using u32 = uint32_t;
using u64 = uint64_t;

inline constexpr u32 kSuccess = 0;
inline constexpr u32 kBadf = 8;
inline constexpr u32 kFault = 21;
inline constexpr u32 kInval = 28;
inline constexpr u32 kNotsup = 58;

u32 fd_write(Model&, Mem&, u32 fd, u32 iovs, u32 iovs_len, u32 nwritten_out);
u32 fd_pwrite(Model&, Mem&, u32 fd, u32 iovs, u32 iovs_len, u64 offset, u32 nwritten_out);
u32 fd_seek(Model&, Mem&, u32 fd, u64 offset, u32 whence, u32 newoffset_out);
u32 fd_close(Model&, Mem&, u32 fd);
u32 fd_fdstat_get(Model&, Mem&, u32 fd, u32 stat_out);
u32 fd_tell(Model&, Mem&, u32 fd, u32 offset_out);
u32 fd_renumber(Model&, Mem&, u32 fd, u32 to);
u32 clock_time_get(Model&, Mem&, u32 id, u64 precision, u32 time_out);
u32 clock_res_get(Model&, Mem&, u32 id, u32 resolution_out);
u32 random_get(Model&, Mem&, u32 buf, u32 len);
u32 environ_sizes_get(Model&, Mem&, u32 count_out, u32 size_out);
u32 environ_get(Model&, Mem&, u32 environ, u32 buf);
u32 args_sizes_get(Model&, Mem&, u32 count_out, u32 size_out);
u32 args_get(Model&, Mem&, u32 argv, u32 buf);
void proc_exit(Model&, Mem&, u32 code);
u32 sched_yield(Model&, Mem&);
u32 poll_oneoff(Model&, Mem&, u32 in, u32 out, u32 nsubscriptions, u32 nevents_out);
u32 path_filestat_get(Model&, Mem&, u32 fd, u32 flags, u32 path, u32 path_len, u32 stat_out);
u32 path_readlink(Model&, Mem&, u32 fd, u32 path, u32 path_len, u32 buf, u32 buf_len, u32 used_out);
u32 sock_accept(Model&, Mem&, u32 fd, u32 flags, u32 fd_out);
u32 sock_recv(Model&, Mem&, u32 fd, u32 ri_data, u32 ri_len, u32 ri_flags, u32 len_out, u32 flags_out);
u32 sock_send(Model&, Mem&, u32 fd, u32 si_data, u32 si_len, u32 si_flags, u32 len_out);

// env extras.
void emscripten_notify_memory_growth(Model&, Mem&, u32 memory_index);
u32 pthread_equal(Model&, Mem&, u32 a, u32 b);

// A function that only answers `Errno`.
template <u32 Errno, class... Args>
u32 fixed(Model&, Mem&, Args...) {
  return Errno;
}

// Success for stdout/stderr, BADF for any other descriptor.
template <class... Args>
u32 stdioOnly(Model&, Mem&, u32 fd, Args...) {
  return fd == 1 || fd == 2 ? kSuccess : kBadf;
}

}  // namespace proxy_wasm::engine::wasi
