// The `env.proxy_*` imports of the benchmark plugins (wasm2c 1.0.32 symbol names), and the
// storage behind them (header maps, body buffer, property table, metrics). In
// HostMode::Real every import validates its pointers against the module memory, as a real
// host does; HostMode::Minimal skips the work (and its checks) but still hands over the
// data the plugin reads.
#include "bench_host.h"

#include <time.h>

#include <algorithm>

// wasm2c declares every import a module uses; defining them against both declarations
// makes the compiler check each signature.
#include "modules.h"

namespace bench {
namespace {

constexpr uint32_t kOk = 0, kNotFound = 1, kBadArgument = 2, kInvalidMemoryAccess = 6;

char lower(char c) { return (c >= 'A' && c <= 'Z') ? char(c - 'A' + 'a') : c; }

bool inBounds(const wasm_rt_memory_t* m, uint32_t ptr, uint64_t size) { return uint64_t(ptr) + size <= m->size; }

// Module pointer -> host pointer; null when [ptr, ptr+size) is outside the memory.
const char* at(const Guest& g, uint32_t ptr, uint32_t size) {
  if (!inBounds(g.memory, ptr, size)) return nullptr;
  return reinterpret_cast<const char*>(g.memory->data) + ptr;
}

bool writeU32(const Guest& g, uint32_t ptr, uint32_t value) {
  if (!inBounds(g.memory, ptr, 4)) return false;
  std::memcpy(g.memory->data + ptr, &value, 4);  // wasm is little-endian, as is x86-64
  return true;
}

// Hands `bytes` to the module: allocate with its allocator, copy, write ptr and size.
uint32_t copyOut(const Guest& g, std::string_view bytes, uint32_t ret_ptr, uint32_t ret_size) {
  uint32_t p = 0;
  if (!bytes.empty()) {
    p = g.allocate(g.instance, uint32_t(bytes.size()));
    // memory->data may only change on growth, which the call above can do: read it after.
    if (p == 0 || !inBounds(g.memory, p, bytes.size())) return kInvalidMemoryAccess;
    std::memcpy(g.memory->data + p, bytes.data(), bytes.size());
  }
  if (!writeU32(g, ret_ptr, p) || !writeU32(g, ret_size, uint32_t(bytes.size()))) return kInvalidMemoryAccess;
  return kOk;
}

HeaderMap* mapFor(Z_env_instance_t* env, uint32_t type) {
  switch (type) {
    case 0: return &env->request_headers;
    case 2: return &env->response_headers;
    default: return nullptr;  // trailers and callout maps are not available here
  }
}

// response.code as Envoy sends it: an 8-byte little-endian integer.
constexpr char kResponseCode[8] = {char(200), 0, 0, 0, 0, 0, 0, 0};

// The fixed property table: wire path (segments joined by NUL bytes) -> value.
bool property(const Z_env_instance_t* env, std::string_view path, std::string_view* value) {
  using namespace std::string_view_literals;
  if (path == "plugin_root_id"sv) {
    *value = env->plugin_root_id;
  } else if (path == "request\0path"sv) {
    *value = "/api/v1/items?id=42"sv;
  } else if (path == "response\0code"sv) {
    *value = std::string_view(kResponseCode, 8);
  } else if (path == "upstream\0address"sv) {
    *value = "10.0.0.7:8080"sv;
  } else {
    return false;
  }
  return true;
}

}  // namespace

bool BodyBuffer::set(uint32_t start, uint32_t size, std::string_view bytes) {
  if (start == 0 && size == 0) {  // prepend
    if (bytes.size() > kMax - size_) return false;
    std::memmove(data_ + bytes.size(), data_, size_);
    std::memcpy(data_, bytes.data(), bytes.size());
    size_ += uint32_t(bytes.size());
    return true;
  }
  if (start == 0 && size >= size_) {  // replace everything
    if (bytes.size() > kMax) return false;
    std::memcpy(data_, bytes.data(), bytes.size());
    size_ = uint32_t(bytes.size());
    return true;
  }
  if (start >= size_) return append(bytes);
  return false;
}

uint32_t Metrics::define(uint32_t type, std::string_view name) {
  for (uint32_t i = 0; i < size_; ++i)
    if (std::string_view(metrics_[i].name, metrics_[i].name_len) == name) return i + 1;
  if (size_ == kMax || name.empty() || name.size() > kMaxName) return 0;
  Metric& m = metrics_[size_++];
  m.type = type;
  m.name_len = uint8_t(name.size());
  std::memcpy(m.name, name.data(), name.size());
  m.value = 0;
  return size_;  // ids start at 1
}

bool Metrics::increment(uint32_t id, int64_t offset) {
  if (id == 0 || id > size_) return false;
  Metric& m = metrics_[id - 1];
  if (m.type == 0 && offset <= 0) return false;  // counters only go up
  m.value += uint64_t(offset);
  return true;
}

uint64_t Metrics::value(std::string_view name) const {
  for (uint32_t i = 0; i < size_; ++i)
    if (std::string_view(metrics_[i].name, metrics_[i].name_len) == name) return metrics_[i].value;
  return 0;
}

void HeaderMap::set(Entry& e, const char* key, uint32_t key_len, const char* value, uint32_t value_len) {
  key_len = std::min(key_len, kMaxKey);
  value_len = std::min(value_len, kMaxValue);
  for (uint32_t i = 0; i < key_len; ++i) e.key[i] = lower(key[i]);
  std::memcpy(e.value, value, value_len);
  e.key_len = uint8_t(key_len);
  e.value_len = uint8_t(value_len);
}

void HeaderMap::assign(std::initializer_list<std::pair<std::string_view, std::string_view>> pairs) {
  base_size_ = 0;
  for (auto [k, v] : pairs) {
    if (base_size_ == kMaxEntries) break;
    set(base_[base_size_++], k.data(), uint32_t(k.size()), v.data(), uint32_t(v.size()));
  }
  dirty_from_ = 0;
  reset();
}

int HeaderMap::find(const char* key, uint32_t key_len) const {
  for (uint32_t i = 0; i < size_; ++i) {
    const Entry& e = entries_[i];
    if (e.key_len != key_len) continue;
    uint32_t j = 0;
    while (j < key_len && e.key[j] == lower(key[j])) ++j;
    if (j == key_len) return int(i);
  }
  return -1;
}

bool HeaderMap::add(const char* key, uint32_t key_len, const char* value, uint32_t value_len) {
  if (size_ == kMaxEntries) return false;
  touch(size_);
  set(entries_[size_++], key, key_len, value, value_len);
  return true;
}

bool HeaderMap::replace(const char* key, uint32_t key_len, const char* value, uint32_t value_len) {
  const int first = find(key, key_len);
  if (first < 0) return add(key, key_len, value, value_len);
  touch(uint32_t(first));
  set(entries_[first], key, key_len, value, value_len);
  // Drop later duplicates.
  uint32_t out = uint32_t(first) + 1;
  for (uint32_t i = out; i < size_; ++i) {
    const Entry& e = entries_[i];
    if (e.keyView() == entries_[first].keyView()) continue;
    if (out != i) entries_[out] = e;
    ++out;
  }
  size_ = out;
  return true;
}

std::string HeaderMap::dump() const {
  std::string s;
  for (uint32_t i = 0; i < size_; ++i) {
    s.append(entries_[i].keyView()).append(": ").append(entries_[i].valueView()).push_back('\n');
  }
  return s;
}

}  // namespace bench

using bench::HostMode;

Z_wasi_snapshot_preview1_instance_t* benchWasi() {
  static Z_wasi_snapshot_preview1_instance_t wasi;
  return &wasi;
}

extern "C" {

u32 Z_envZ_proxy_log(Z_env_instance_t* env, u32 level, u32 ptr, u32 size) {
  ++env->imports;
  ++env->logs;
  if (env->mode == HostMode::Minimal) return bench::kOk;
  if (level > 5) return bench::kBadArgument;
  const char* message = bench::at(env->guest, ptr, size);
  if (!message) return bench::kInvalidMemoryAccess;
  if (level >= 3) {
    ++env->warnings;
    env->last_warning.assign(message, size);
  }
  return bench::kOk;
}

u32 Z_envZ_proxy_get_log_level(Z_env_instance_t* env, u32 ret) {
  ++env->imports;
  return bench::writeU32(env->guest, ret, env->log_level) ? bench::kOk : bench::kInvalidMemoryAccess;
}

u32 Z_envZ_proxy_get_current_time_nanoseconds(Z_env_instance_t* env, u32 ret) {
  ++env->imports;
  timespec ts{};
  clock_gettime(CLOCK_REALTIME, &ts);
  const uint64_t ns = uint64_t(ts.tv_sec) * 1000000000ull + uint64_t(ts.tv_nsec);
  if (!bench::inBounds(env->guest.memory, ret, 8)) return bench::kInvalidMemoryAccess;
  std::memcpy(env->guest.memory->data + ret, &ns, 8);
  return bench::kOk;
}

u32 Z_envZ_proxy_set_effective_context(Z_env_instance_t* env, u32) {
  ++env->imports;
  return bench::kOk;
}

u32 Z_envZ_proxy_set_tick_period_milliseconds(Z_env_instance_t* env, u32) {
  ++env->imports;
  return bench::kOk;
}

// Action::Close's mapping on ABI v0.2.1 imports it; the benchmark's plugins never close.
u32 Z_envZ_proxy_close_stream(Z_env_instance_t* env, u32 stream_type) {
  ++env->imports;
  return stream_type <= 3 ? bench::kOk : 2;  // BadArgument beyond Upstream
}

// The SDK's gRPC bookkeeping imports them (cancel on delete, close after the last event);
// the benchmark makes no gRPC calls, so any token is unknown, as a real host answers.
u32 Z_envZ_proxy_grpc_cancel(Z_env_instance_t* env, u32) {
  ++env->imports;
  return 1;  // NotFound
}

u32 Z_envZ_proxy_grpc_close(Z_env_instance_t* env, u32) {
  ++env->imports;
  return 1;  // NotFound
}

u32 Z_envZ_proxy_get_property(Z_env_instance_t* env, u32 path_ptr, u32 path_size, u32 ret_ptr, u32 ret_size) {
  ++env->imports;
  const char* path = bench::at(env->guest, path_ptr, path_size);
  if (!path) return bench::kInvalidMemoryAccess;
  std::string_view value;
  if (!bench::property(env, std::string_view(path, path_size), &value)) return bench::kNotFound;
  return bench::copyOut(env->guest, value, ret_ptr, ret_size);
}

u32 Z_envZ_proxy_get_buffer_bytes(Z_env_instance_t* env, u32 type, u32 start, u32 max_size, u32 ret_ptr,
                                  u32 ret_size) {
  ++env->imports;
  std::string_view buffer;
  switch (type) {
    case 0: buffer = env->request_body.view(); break;         // HttpRequestBody
    case 7: buffer = env->plugin_configuration; break;        // PluginConfiguration
    default: return bench::kNotFound;                         // nothing else buffered here
  }
  if (start > buffer.size()) return bench::kBadArgument;
  return bench::copyOut(env->guest, buffer.substr(start, max_size), ret_ptr, ret_size);
}

u32 Z_envZ_proxy_set_buffer_bytes(Z_env_instance_t* env, u32 type, u32 start, u32 size, u32 data_ptr,
                                  u32 data_size) {
  ++env->imports;
  if (env->mode == HostMode::Minimal) return bench::kOk;
  if (type != 0) return bench::kBadArgument;  // only the request body is writable here
  const char* data = bench::at(env->guest, data_ptr, data_size);
  if (!data) return bench::kInvalidMemoryAccess;
  return env->request_body.set(start, size, std::string_view(data, data_size)) ? bench::kOk : bench::kBadArgument;
}

u32 Z_envZ_proxy_define_metric(Z_env_instance_t* env, u32 type, u32 name_ptr, u32 name_size, u32 ret_id) {
  ++env->imports;
  if (type > 2) return bench::kBadArgument;
  const char* name = bench::at(env->guest, name_ptr, name_size);
  if (!name) return bench::kInvalidMemoryAccess;
  const u32 id = env->metrics.define(type, std::string_view(name, name_size));
  if (id == 0) return bench::kBadArgument;
  return bench::writeU32(env->guest, ret_id, id) ? bench::kOk : bench::kInvalidMemoryAccess;
}

u32 Z_envZ_proxy_increment_metric(Z_env_instance_t* env, u32 id, u64 offset) {
  ++env->imports;
  if (env->mode == HostMode::Minimal) return bench::kOk;
  return env->metrics.increment(id, int64_t(offset)) ? bench::kOk : bench::kNotFound;
}

// Serialized as the ABI has it: count, then (key size, value size) pairs, then each key
// and value followed by a NUL byte; all sizes u32 little-endian.
u32 Z_envZ_proxy_get_header_map_pairs(Z_env_instance_t* env, u32 type, u32 ret_ptr, u32 ret_size) {
  ++env->imports;
  if (type > 7) return bench::kBadArgument;
  bench::HeaderMap* map = bench::mapFor(env, type);
  if (!map) return bench::kBadArgument;
  std::string out;
  auto u32le = [&out](uint32_t v) { out.append(reinterpret_cast<const char*>(&v), 4); };
  u32le(map->size());
  for (uint32_t i = 0; i < map->size(); ++i) {
    u32le(uint32_t((*map)[i].keyView().size()));
    u32le(uint32_t((*map)[i].valueView().size()));
  }
  for (uint32_t i = 0; i < map->size(); ++i) {
    out.append((*map)[i].keyView()).push_back('\0');
    out.append((*map)[i].valueView()).push_back('\0');
  }
  return bench::copyOut(env->guest, out, ret_ptr, ret_size);
}

u32 Z_envZ_proxy_get_header_map_value(Z_env_instance_t* env, u32 type, u32 key_ptr, u32 key_size, u32 ret_ptr,
                                      u32 ret_size) {
  ++env->imports;
  if (env->mode == HostMode::Minimal) {
    static constexpr std::string_view kValue = "/api/v1/items?id=42";
    return bench::copyOut(env->guest, kValue, ret_ptr, ret_size);
  }
  if (type > 7) return bench::kBadArgument;
  bench::HeaderMap* map = bench::mapFor(env, type);
  if (!map) return bench::kBadArgument;
  const char* key = bench::at(env->guest, key_ptr, key_size);
  if (!key) return bench::kInvalidMemoryAccess;
  const int i = map->find(key, key_size);
  if (i < 0) return bench::kNotFound;
  return bench::copyOut(env->guest, (*map)[uint32_t(i)].valueView(), ret_ptr, ret_size);
}

u32 Z_envZ_proxy_add_header_map_value(Z_env_instance_t* env, u32 type, u32 key_ptr, u32 key_size, u32 value_ptr,
                                      u32 value_size) {
  ++env->imports;
  if (env->mode == HostMode::Minimal) return bench::kOk;
  if (type > 7) return bench::kBadArgument;
  bench::HeaderMap* map = bench::mapFor(env, type);
  if (!map) return bench::kBadArgument;
  const char* key = bench::at(env->guest, key_ptr, key_size);
  const char* value = bench::at(env->guest, value_ptr, value_size);
  if (!key || !value) return bench::kInvalidMemoryAccess;
  return map->add(key, key_size, value, value_size) ? bench::kOk : bench::kBadArgument;
}

u32 Z_envZ_proxy_replace_header_map_value(Z_env_instance_t* env, u32 type, u32 key_ptr, u32 key_size,
                                          u32 value_ptr, u32 value_size) {
  ++env->imports;
  if (env->mode == HostMode::Minimal) return bench::kOk;
  if (type > 7) return bench::kBadArgument;
  bench::HeaderMap* map = bench::mapFor(env, type);
  if (!map) return bench::kBadArgument;
  const char* key = bench::at(env->guest, key_ptr, key_size);
  const char* value = bench::at(env->guest, value_ptr, value_size);
  if (!key || !value) return bench::kInvalidMemoryAccess;
  return map->replace(key, key_size, value, value_size) ? bench::kOk : bench::kBadArgument;
}

// WASI: never reached by the benchmark; EBADF.
u32 Z_wasi_snapshot_preview1Z_fd_close(Z_wasi_snapshot_preview1_instance_t* wasi, u32) {
  ++wasi->calls;
  return 8;
}
u32 Z_wasi_snapshot_preview1Z_fd_seek(Z_wasi_snapshot_preview1_instance_t* wasi, u32, u64, u32, u32) {
  ++wasi->calls;
  return 8;
}
u32 Z_wasi_snapshot_preview1Z_fd_write(Z_wasi_snapshot_preview1_instance_t* wasi, u32, u32, u32, u32) {
  ++wasi->calls;
  return 8;
}

}  // extern "C"
