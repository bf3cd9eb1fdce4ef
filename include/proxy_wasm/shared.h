// Shared data (a VM-wide key/value store with compare-and-swap) and shared queues.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <utility>

#include "proxy_wasm/hostcalls.h"

namespace proxy_wasm {

/// Read-modify-write of shared key `key` with compare-and-swap, retried on conflict.
/// `update(std::optional<std::string_view> current)` returns the new value
/// (std::optional<std::string>; nullopt leaves the key untouched and returns Ok). Returns
/// Ok, CasMismatch when every attempt conflicted, or the host's error.
template <class F>
PROXY_WASM_NODISCARD Status updateSharedData(std::string_view key, F&& update, int max_attempts = 8) {
  for (int attempt = 0; attempt < max_attempts; ++attempt) {
    auto current = getSharedData(key);
    if (!current.ok()) return current.status();
    const bool exists = current.has_value();
    std::optional<std::string> next =
        update(exists ? std::optional<std::string_view>(current->value.view()) : std::nullopt);
    if (!next) return Status::Ok;
    // A missing key is created whatever the cas, so a racing creator cannot be detected
    // on the first write; from then on the cas protects every update.
    const Status s = setSharedData(key, *next, exists ? current->cas : 0);
    if (s != Status::CasMismatch) return s;
  }
  return Status::CasMismatch;
}

/// A shared queue: a VM-wide FIFO. The root that registers it receives onQueueReady(id)
/// once per enqueued item; any VM may resolve it by (vm_id, name) and enqueue.
class SharedQueue {
 public:
  SharedQueue() = default;
  /// The queue with this host-allocated id (from registerQueue() or resolve()).
  explicit SharedQueue(uint32_t id) : id_(id) {}

  /// Creates (or reopens) queue `name` of this VM; the root of the context whose work is
  /// running becomes its listener (onQueueReady).
  /// Statuses: Ok (the host creates or reopens the queue), or the host's failure (InvalidMemoryAccess,
  /// InternalFailure).
  PROXY_WASM_NODISCARD static Result<SharedQueue> registerQueue(std::string_view name) {
    auto id = registerSharedQueue(name);
    if (!id) return id.status();
    return SharedQueue(*id);
  }
  /// Finds queue `name` of VM `vm_id` (empty: this VM); absent when nobody registered it.
  /// Statuses: Ok (present, or absent on NotFound), or the host's failure.
  PROXY_WASM_NODISCARD static Maybe<SharedQueue> resolve(std::string_view vm_id, std::string_view name) {
    auto id = resolveSharedQueue(vm_id, name);
    if (!id) return id.ok() ? Maybe<SharedQueue>::absent() : Maybe<SharedQueue>(id.status());
    return SharedQueue(*id);
  }

  /// The host's id of this queue.
  uint32_t id() const { return id_; }
  /// Appends `data`; the registering root gets onQueueReady() once per item, after the current callback.
  /// Statuses: Ok; NotFound when no queue has this id.
  PROXY_WASM_NODISCARD Status enqueue(std::string_view data) const { return enqueueSharedQueue(id_, data); }
  /// The oldest item; absent when the queue is empty (NotFound: no such queue).
  PROXY_WASM_NODISCARD Maybe<HostBuffer> dequeue() const { return dequeueSharedQueue(id_); }

 private:
  uint32_t id_ = 0;
};

}  // namespace proxy_wasm
