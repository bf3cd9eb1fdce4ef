// What every hand-written benchmark plugin (raw_*.cc) shares: the raw ABI's mandatory
// exports and the bookkeeping a careful hand-written plugin needs and nothing more.
//
// Bookkeeping: a fixed open-addressing table of live context ids, each with its parent
// (0 for a root), so that callbacks for unknown or root ids are ignored and roots are
// told apart from streams. No per-stream allocation: these plugins keep no stream state.
// Exports here: proxy_abi_version_0_2_1, proxy_on_memory_allocate, proxy_on_context_create
// (a root must be ours: plugin_root_id "bench"), proxy_on_vm_start, proxy_on_delete. Each
// plugin adds proxy_on_configure and the callbacks it uses (a host skips absent ones).
#pragma once

#include <proxy_wasm/abi.h>

#include <cstdint>
#include <cstdlib>
#include <cstring>

#define RAW_EXPORT(name) __attribute__((export_name(#name)))

namespace raw {
namespace {

constexpr uint32_t kSlots = 1024;  // power of two; far more than concurrent contexts
struct Slot {
  uint32_t id;      // 0 = empty
  uint32_t parent;  // 0 = root context
};
Slot g_slots[kSlots];

uint32_t home(uint32_t id) { return (id * 0x9E3779B1u) >> 22; }  // top 10 bits

Slot* find(uint32_t id) {
  if (id == 0) return nullptr;
  for (uint32_t i = home(id);; i = (i + 1) & (kSlots - 1)) {
    if (g_slots[i].id == id) return &g_slots[i];
    if (g_slots[i].id == 0) return nullptr;
  }
}

bool insert(uint32_t id, uint32_t parent) {
  uint32_t i = home(id);
  for (uint32_t n = 0; n < kSlots; ++n, i = (i + 1) & (kSlots - 1)) {
    if (g_slots[i].id == 0 || g_slots[i].id == id) {
      g_slots[i] = {id, parent};
      return true;
    }
  }
  return false;  // full
}

void erase(uint32_t id) {
  uint32_t i = home(id);
  while (g_slots[i].id != id) {
    if (g_slots[i].id == 0) return;
    i = (i + 1) & (kSlots - 1);
  }
  // Backward-shift deletion: no tombstones.
  for (uint32_t j = (i + 1) & (kSlots - 1); g_slots[j].id != 0; j = (j + 1) & (kSlots - 1)) {
    const uint32_t h = home(g_slots[j].id);
    const bool in_range = i <= j ? (h > i && h <= j) : (h > i || h <= j);
    if (!in_range) {
      g_slots[i] = g_slots[j];
      i = j;
    }
  }
  g_slots[i] = {0, 0};
}

bool isStream(uint32_t id) {
  const Slot* s = find(id);
  return s && s->parent != 0;
}

bool isRoot(uint32_t id) {
  const Slot* s = find(id);
  return s && s->parent == 0;
}

void logError(const char* message) { proxy_log(4, message, std::strlen(message)); }

}  // namespace
}  // namespace raw

extern "C" {

RAW_EXPORT(proxy_abi_version_0_2_1) void proxy_abi_version_0_2_1() {}

// Same allocator as malloc (also exported, by the link), so the plugin can free() what
// the host hands over.
RAW_EXPORT(proxy_on_memory_allocate) void* proxy_on_memory_allocate(size_t size) { return std::malloc(size); }

RAW_EXPORT(proxy_on_context_create) void proxy_on_context_create(uint32_t id, uint32_t parent) {
  if (parent == 0) {
    // A root: check it is ours, as a plugin with a root id must.
    char* value = nullptr;
    size_t size = 0;
    const uint32_t s = proxy_get_property("plugin_root_id", 14, &value, &size);
    const bool ours = s == 0 && size == 5 && std::memcmp(value, "bench", 5) == 0;
    std::free(value);
    if (!ours) {
      raw::logError("raw plugin: unexpected root id");
      return;
    }
  } else if (!raw::isRoot(parent)) {
    raw::logError("raw plugin: stream created with an unknown root");
    return;
  }
  if (!raw::insert(id, parent)) raw::logError("raw plugin: context table full");
}

RAW_EXPORT(proxy_on_vm_start) uint32_t proxy_on_vm_start(uint32_t root, uint32_t) { return raw::isRoot(root) ? 1 : 0; }

RAW_EXPORT(proxy_on_delete) void proxy_on_delete(uint32_t id) { raw::erase(id); }

}  // extern "C"
