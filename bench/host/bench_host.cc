// The `env.proxy_*` imports of the benchmark plugins (wasm2c 1.0.32 symbol names), and the
// header map behind them. Every import validates its pointers against the module memory
// in HostMode::Real, as a real host does.
#include "bench_host.h"

#include <time.h>

#include <algorithm>

// wasm2c declares every import a module uses; defining them against both declarations
// makes the compiler check each signature.
#include "raw_plugin.h"
#include "sdk_plugin.h"

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

}  // namespace

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

extern "C" {

u32 Z_envZ_proxy_log(Z_env_instance_t* env, u32 level, u32 ptr, u32 size) {
  ++env->imports;
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
  if (std::string_view(path, path_size) != "plugin_root_id") return bench::kNotFound;
  return bench::copyOut(env->guest, env->plugin_root_id, ret_ptr, ret_size);
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

}  // extern "C"
