// WASI over the host model, answering what Envoy's host answers.
#include "wasi.h"

#include <random>
#include <string>

namespace proxy_wasm::engine::wasi {
namespace {

constexpr u32 kLogInfo = static_cast<u32>(LogLevel::Info);
constexpr u32 kLogError = static_cast<u32>(LogLevel::Error);

// Concatenates the iovecs ({u32 buf, u32 len} each) and logs them: fd 1 at INFO, fd 2
// at ERROR, one trailing newline stripped. nwritten is the full byte count.
u32 writeToLog(Model& h, Mem& m, u32 fd, u32 iovs, u32 iovs_len, u32 nwritten_out) {
  u32 level = 0;
  if (fd == 1) {
    level = kLogInfo;
  } else if (fd == 2) {
    level = kLogError;
  } else {
    return kBadf;
  }
  std::string text;
  for (u32 i = 0; i < iovs_len; ++i) {
    const uint64_t at = uint64_t(iovs) + 8ull * i;
    if (!m.inBounds(at, 8)) return kFault;
    const u32 buf = *m.readU32(u32(at));
    const u32 len = *m.readU32(u32(at + 4));
    if (len == 0) continue;
    auto bytes = m.read(buf, len);
    if (!bytes) return kFault;
    text.append(*bytes);
  }
  if (!m.writeU32(nwritten_out, u32(text.size()))) return kFault;
  if (!text.empty() && text.back() == '\n') text.pop_back();
  return h.hLog(level, text) == Status::Ok ? kSuccess : kBadf;
}

}  // namespace

u32 fd_write(Model& h, Mem& m, u32 fd, u32 iovs, u32 iovs_len, u32 nwritten_out) {
  return writeToLog(h, m, fd, iovs, iovs_len, nwritten_out);
}

u32 fd_pwrite(Model& h, Mem& m, u32 fd, u32 iovs, u32 iovs_len, u64, u32 nwritten_out) {
  return writeToLog(h, m, fd, iovs, iovs_len, nwritten_out);  // the offset is ignored
}

u32 fd_seek(Model& h, Mem&, u32, u64, u32, u32) {
  (void)h.hLog(kLogError, "wasi_unstable fd_seek");
  return kSuccess;
}

u32 fd_close(Model& h, Mem&, u32) {
  (void)h.hLog(kLogError, "wasi_unstable fd_close");
  return kSuccess;
}

u32 fd_fdstat_get(Model&, Mem& m, u32 fd, u32 stat_out) {
  if (fd != 1 && fd != 2) return kBadf;
  // {u8 filetype, u16 flags, u64 rights_base, u64 rights_inheriting}: 24 bytes.
  if (!m.fill(stat_out, 24)) return kFault;
  m.writeU64(stat_out + 8, 64);  // rights_base = FD_WRITE
  return kSuccess;
}

u32 fd_tell(Model&, Mem& m, u32 fd, u32 offset_out) {
  if (fd != 1 && fd != 2) return kBadf;
  return m.writeU64(offset_out, 0) ? kSuccess : kFault;
}

u32 fd_renumber(Model&, Mem&, u32 fd, u32 to) {
  if ((fd != 1 && fd != 2) || (to != 1 && to != 2)) return kBadf;
  return kNotsup;
}

u32 clock_time_get(Model& h, Mem& m, u32 id, u64, u32 time_out) {
  // Realtime and monotonic both follow the host model's clock, which tests drive.
  if (id != 0 && id != 1) return kNotsup;
  return m.writeU64(time_out, h.now()) ? kSuccess : kFault;
}

u32 clock_res_get(Model&, Mem& m, u32 id, u32 resolution_out) {
  if (id != 0 && id != 1) return kNotsup;
  return m.writeU64(resolution_out, 1) ? kSuccess : kFault;
}

u32 random_get(Model&, Mem& m, u32 buf, u32 len) {
  if (len > 64 * 1024) return kInval;
  if (!m.inBounds(buf, len)) return kFault;
  static thread_local std::mt19937 engine{std::random_device{}()};
  std::string bytes(len, '\0');
  for (auto& b : bytes) b = static_cast<char>(engine() & 0xff);
  m.write(buf, bytes);
  return kSuccess;
}

// The host model configures no environment variables and no arguments.
u32 environ_sizes_get(Model&, Mem& m, u32 count_out, u32 size_out) {
  return m.writeU32(count_out, 0) && m.writeU32(size_out, 0) ? kSuccess : kFault;
}
u32 environ_get(Model&, Mem&, u32, u32) { return kSuccess; }
u32 args_sizes_get(Model&, Mem& m, u32 count_out, u32 size_out) {
  return m.writeU32(count_out, 0) && m.writeU32(size_out, 0) ? kSuccess : kFault;
}
u32 args_get(Model&, Mem&, u32, u32) { return kSuccess; }

void proc_exit(Model& h, Mem&, u32 code) {
  (void)h.hLog(kLogError, "wasi proc_exit(" + std::to_string(code) + ") ignored");
}

u32 sched_yield(Model&, Mem&) { return kSuccess; }

u32 poll_oneoff(Model&, Mem& m, u32, u32, u32, u32 nevents_out) {
  return m.writeU32(nevents_out, 0) ? kSuccess : kFault;
}

u32 path_filestat_get(Model&, Mem& m, u32, u32, u32, u32, u32 stat_out) {
  m.fill(stat_out, 64);
  return kNotsup;
}

u32 path_readlink(Model&, Mem& m, u32, u32, u32, u32, u32, u32 used_out) {
  m.writeU32(used_out, 0);
  return kNotsup;
}

u32 sock_accept(Model&, Mem& m, u32, u32, u32 fd_out) {
  m.writeU32(fd_out, 0);
  return kNotsup;
}

u32 sock_recv(Model&, Mem& m, u32, u32, u32, u32, u32 len_out, u32 flags_out) {
  m.writeU32(len_out, 0);
  m.fill(flags_out, 2);
  return kNotsup;
}

u32 sock_send(Model&, Mem& m, u32, u32, u32, u32, u32 len_out) {
  m.writeU32(len_out, 0);
  return kNotsup;
}

void emscripten_notify_memory_growth(Model&, Mem&, u32) {}

u32 pthread_equal(Model&, Mem&, u32 a, u32 b) { return a == b ? 1 : 0; }

}  // namespace proxy_wasm::engine::wasi
