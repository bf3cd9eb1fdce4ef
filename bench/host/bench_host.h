// A minimal Proxy-Wasm host for wasm2c-translated plugins: just the `env.proxy_*` imports
// the benchmark plugins use, over fixed storage: two header maps, the current stream's
// request body, a small property table, metrics. Data goes into the
// module the way a real host hands it over: allocated with the module's `malloc` export,
// copied into its linear memory, pointer and size written through the return pointers.
//
// wasm2c 1.0.32 names the "env" import instance `struct Z_env_instance_t`; this header
// defines it. One host serves any number of module instances, one at a time (`guest`).
#pragma once

#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>
#include <vector>

#include "wasm-rt.h"

namespace bench {

enum class HostMode {
  // Imports do their real work: look the key up in the map, add, replace, validate.
  Real,
  // Imports do only what the ABI needs for the plugin to see the same answers: the header
  // read still allocates and copies a value into module memory (the plugin frees it);
  // add/replace/log return Ok at once. Leaves mostly the plugin's own cost.
  Minimal,
};

// A header map with fixed storage: no host allocation per request, cheap reset.
class HeaderMap {
 public:
  static constexpr uint32_t kMaxEntries = 32;
  static constexpr uint32_t kMaxKey = 46;
  static constexpr uint32_t kMaxValue = 80;

  struct Entry {
    uint8_t key_len = 0;
    uint8_t value_len = 0;
    char key[kMaxKey];
    char value[kMaxValue];
    std::string_view keyView() const { return {key, key_len}; }
    std::string_view valueView() const { return {value, value_len}; }
  };

  // Sets the initial contents, restored by reset(). Keys are lower-cased.
  void assign(std::initializer_list<std::pair<std::string_view, std::string_view>> pairs);
  // Back to the initial contents: only what the last request touched is rewritten.
  void reset() {
    if (dirty_from_ < base_size_)
      std::memcpy(&entries_[dirty_from_], &base_[dirty_from_], sizeof(Entry) * (base_size_ - dirty_from_));
    size_ = base_size_;
    dirty_from_ = kMaxEntries;
  }

  uint32_t size() const { return size_; }
  const Entry& operator[](uint32_t i) const { return entries_[i]; }

  // First entry whose key equals `key` ignoring ASCII case; -1 if none.
  int find(const char* key, uint32_t key_len) const;
  bool add(const char* key, uint32_t key_len, const char* value, uint32_t value_len);
  // Sets the first match and removes later ones, or adds when absent.
  bool replace(const char* key, uint32_t key_len, const char* value, uint32_t value_len);

  // "key: value\n" lines, for comparisons in the smoke test.
  std::string dump() const;

 private:
  static void set(Entry& e, const char* key, uint32_t key_len, const char* value, uint32_t value_len);
  void touch(uint32_t i) {
    if (i < dirty_from_) dirty_from_ = i;
  }

  Entry entries_[kMaxEntries];
  Entry base_[kMaxEntries];
  uint32_t size_ = 0;
  uint32_t base_size_ = 0;
  uint32_t dirty_from_ = kMaxEntries;
};

// A body buffer with fixed storage (one stream is live at a time): what the host has
// buffered of the current request body, as proxy_get_buffer_bytes/proxy_set_buffer_bytes
// see it (BufferType HttpRequestBody), and what it forwarded once the plugin continued.
class BodyBuffer {
 public:
  static constexpr uint32_t kMax = 1024;

  void clear() { size_ = 0; }
  // Appends (a chunk arriving); false when it does not fit.
  bool append(std::string_view bytes) {
    if (bytes.size() > kMax - size_) return false;
    std::memcpy(data_ + size_, bytes.data(), bytes.size());
    size_ += uint32_t(bytes.size());
    return true;
  }
  // proxy_set_buffer_bytes as Envoy applies it: start 0 and size 0 prepends; start 0 and
  // size >= the buffered length replaces everything; start >= the length appends; any
  // other range is BadArgument (false).
  bool set(uint32_t start, uint32_t size, std::string_view bytes);
  std::string_view view() const { return {data_, size_}; }
  uint32_t size() const { return size_; }

 private:
  char data_[kMax];
  uint32_t size_ = 0;
};

// Metrics with fixed storage: defined by name (defining a name again returns the same id,
// as Envoy does), incremented by id.
class Metrics {
 public:
  static constexpr uint32_t kMax = 16;
  static constexpr uint32_t kMaxName = 64;

  // The id of `name` (type 0 counter, 1 gauge, 2 histogram); 0 when the table is full.
  uint32_t define(uint32_t type, std::string_view name);
  // False for an unknown id; counters refuse offsets <= 0 (as Envoy does).
  bool increment(uint32_t id, int64_t offset);
  // The value of `name`, 0 if undefined.
  uint64_t value(std::string_view name) const;

 private:
  struct Metric {
    uint32_t type = 0;
    uint8_t name_len = 0;
    char name[kMaxName];
    uint64_t value = 0;
  };
  Metric metrics_[kMax];
  uint32_t size_ = 0;
};

// What the host needs of the module instance it is serving.
struct Guest {
  wasm_rt_memory_t* memory = nullptr;
  void* instance = nullptr;
  uint32_t (*allocate)(void* instance, uint32_t size) = nullptr;  // the `malloc` export
};

}  // namespace bench

// Page-aligned, and allocated on the heap by the driver: its offset within a page (so its
// cache-set and 4K-aliasing relation to the page-aligned module memory) is then the same in
// every process; on the stack it moved with ASLR's sub-page offset.
struct alignas(4096) Z_env_instance_t {
  bench::HostMode mode = bench::HostMode::Real;
  bench::Guest guest;
  bench::HeaderMap request_headers;
  bench::HeaderMap response_headers;
  std::string plugin_root_id = "bench";
  std::string plugin_configuration;  // BufferType PluginConfiguration (7)
  bench::BodyBuffer request_body;    // the current stream's buffered request body
  bench::Metrics metrics;
  uint32_t log_level = 2;   // info
  uint32_t warnings = 0;    // messages logged at warn or above
  std::string last_warning;
  uint32_t imports = 0;     // host calls made (sanity check)
  uint32_t logs = 0;        // proxy_log calls (any level)
};

// The WASI imports an SDK plugin built with wasi-libc may keep (fd_write and friends, from
// libc++'s abort paths); the benchmark never reaches them. Each answers EBADF (8).
struct Z_wasi_snapshot_preview1_instance_t {
  uint32_t calls = 0;
};
