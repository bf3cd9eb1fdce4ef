// Typed wrappers over the raw host functions: statuses in, Status/Result/Maybe out, no raw
// pointers out. This header declares them, with what each does on either ABI; the backend
// the plugin is built for defines them, over its raw imports:
// detail/backend_v0_2_1.h (ABI v0.2.1) or detail/backend_vnext.h (the vNEXT draft, selected
// by PROXY_WASM_ABI_VNEXT). What an ABI lacks answers Status::Unimplemented with a log line
// (config.h's `features` says which at compile time).
//
// Two kinds:
//   - public free functions for what is not tied to one stream: VM-wide state (shared
//     data, queues, metrics, the clock, the log level) and what acts on the context whose
//     work is running (logging, properties, foreign functions: the SDK makes that context
//     effective first);
//   - detail::raw, the context-bound functions (headers, bodies, stream control, callouts,
//     ticks), which act on whatever context the host acts on now. Only the context classes
//     call them, after making their own context effective: use the members
//     (HttpContext::getRequestHeader, RootContext::setTickPeriod, ...).
#pragma once

#include <cstdint>
#include <cstring>
#include <initializer_list>
#include <string>
#include <string_view>

#include "proxy_wasm/abi.h"
#include "proxy_wasm/buffer.h"
#include "proxy_wasm/config.h"
#include "proxy_wasm/detail/state.h"
#include "proxy_wasm/detail/wire.h"
#include "proxy_wasm/pairs.h"
#include "proxy_wasm/status.h"

namespace proxy_wasm {

/// Read "everything" from a buffer: hosts clamp the range to what is there.
inline constexpr size_t kWholeBuffer = 0xFFFFFFFFu;

namespace detail {

/// The Status of a raw host code: any status, UnknownStatus for a code this SDK does not know.
inline Status toStatus(uint32_t raw) { return statusFromWire(raw); }
PROXY_WASM_ALWAYS_INLINE Result<HostBuffer> toBuffer(uint32_t raw, char* data, size_t size) {
  if (PROXY_WASM_LIKELY(raw == 0)) return Result<HostBuffer>(std::in_place, data, size);
  if (data) std::free(data);  // a host gives no memory with a failure; never leak it anyway
  return toStatus(raw);
}
/// A host answer with an out-value: the value on Ok, else the status. `value` is taken by
/// reference: read after the call that wrote it, whatever the argument order.
template <class T>
PROXY_WASM_ALWAYS_INLINE Result<T> toResult(uint32_t raw, const T& value) {
  if (PROXY_WASM_LIKELY(raw == 0)) return value;
  return toStatus(raw);
}
/// A lookup with an out-value: present on Ok, absent on NotFound, else the status (`value`
/// by reference, as toResult's).
template <class T>
PROXY_WASM_ALWAYS_INLINE Maybe<T> toMaybeValue(uint32_t raw, const T& value) {
  if (PROXY_WASM_LIKELY(raw == 0)) return value;
  const Status s = toStatus(raw);
  if (s == Status::NotFound) return Maybe<T>::absent();
  return s;
}
/// NotFound (or Empty, for queues) means "absent": not an error.
PROXY_WASM_ALWAYS_INLINE Maybe<HostBuffer> toMaybe(uint32_t raw, char* data, size_t size,
                                                  Status absent = Status::NotFound) {
  if (PROXY_WASM_LIKELY(raw == 0)) return Maybe<HostBuffer>(std::in_place, data, size);
  if (data) std::free(data);  // as above
  const Status s = toStatus(raw);
  if (s == absent) return Maybe<HostBuffer>::absent();
  return s;
}

namespace raw {
/// The backend's proxy_set_effective_context. Statuses: Ok; BadArgument when the host does
/// not know `id`.
inline Status setEffectiveContext(uint32_t id);
}  // namespace raw
/// Makes the host act on context `id` (no host call when it already does).
/// Statuses: Ok; BadArgument when the host does not know `id`.
PROXY_WASM_NODISCARD inline Status switchContextSlow(uint32_t id) {
  const Status s = raw::setEffectiveContext(id);
  if (s.ok()) runtime().effective = id;
  return s;
}
PROXY_WASM_NODISCARD PROXY_WASM_ALWAYS_INLINE Status actOn(uint32_t id) {
  if (PROXY_WASM_LIKELY(runtime().effective == id)) return Status::Ok;
  return switchContextSlow(id);
}
/// Makes the host act on the context whose work is running (after a call on another one).
PROXY_WASM_NODISCARD PROXY_WASM_ALWAYS_INLINE Status actOnCurrent() {
  Runtime& r = runtime();
  if (PROXY_WASM_LIKELY(r.effective == r.current)) return Status::Ok;
  return switchContextSlow(r.current);
}

/// Around a host call that may call back into the module before it returns: the nested
/// callbacks change the SDK's view of the current and effective contexts, and the host
/// restores its own when the call returns, so the SDK restores its view too.
class Reentry {
 public:
  PROXY_WASM_ALWAYS_INLINE Reentry() : r_(runtime()), current_(r_.current), effective_(r_.effective) {
    ++r_.reentrant;
  }
  Reentry(const Reentry&) = delete;
  Reentry& operator=(const Reentry&) = delete;
  PROXY_WASM_ALWAYS_INLINE ~Reentry() {
    r_.current = current_;
    r_.effective = effective_;
    --r_.reentrant;
  }

 private:
  Runtime& r_;
  uint32_t current_, effective_;
};

}  // namespace detail

// ---- Logging, time -----------------------------------------------------------------------

/// Sends `message` to the host log at `level`, attributed to the context whose work is
/// running. See log.h for filtered, formatted logging.
/// Any time, even during module start-up. Statuses: Ok; BadArgument for a level the host
/// does not know; InvalidMemoryAccess.
inline Status logMessage(LogLevel level, std::string_view message);

/// The host's log level, uncached. Prefer `proxy_wasm::logLevel()` (log.h).
/// From a callback (not during module start-up, where hosts allow only logging). Statuses:
/// Ok; InvalidMemoryAccess. Envoy may answer level 6, which is LogLevel::Off. vNEXT:
/// Unimplemented (the host filters; logLevel() answers Trace).
PROXY_WASM_NODISCARD inline Result<LogLevel> getLogLevelFromHost();

/// Wall-clock time from the host, nanoseconds since the Unix epoch.
/// From a callback. Statuses: Ok; InvalidMemoryAccess. vNEXT: Unimplemented (no clock).
PROXY_WASM_NODISCARD inline Result<uint64_t> getCurrentTimeNanoseconds();

/// Calls the host's foreign function `name` from the context whose work is running.
/// NotFound when the host registered no function by that name; other statuses come from
/// the function.
/// The function may call back into the plugin before this returns. Statuses: Ok; NotFound;
/// InvalidMemoryAccess; any status the function gives; BadArgument when the context whose
/// work is running is gone.
/// vNEXT: Unimplemented (the draft has custom functions by id: callCustomFunction()).
PROXY_WASM_NODISCARD inline Result<HostBuffer> callForeignFunction(std::string_view name, std::string_view args);

/// Calls the host's custom function `function_id` (the vNEXT draft's extension point; the
/// ids are the host's) with `parameters`; returns its results.
/// The function may call back into the plugin before this returns. Statuses: Ok; NotFound
/// when the host has no such function; InvalidMemoryAccess. ABI v0.2.1: Unimplemented (it
/// has foreign functions by name: callForeignFunction()).
PROXY_WASM_NODISCARD inline Result<HostBuffer> callCustomFunction(uint32_t function_id, std::string_view parameters);

namespace detail {
/// A call into a feature the ABI the plugin is built for lacks: a warning naming it (the
/// ABI is in the message), and Unimplemented.
PROXY_WASM_NOINLINE Status unimplemented(std::string_view what) {
#if PROXY_WASM_ABI_VNEXT
  constexpr std::string_view kAbi = "proxy-wasm: not in the vNEXT draft ABI: ";
#else
  constexpr std::string_view kAbi = "proxy-wasm: not in ABI v0.2.1: ";
#endif
  char line[192];
  size_t n = kAbi.size();
  std::memcpy(line, kAbi.data(), n);
  const size_t take = what.size() < sizeof(line) - n ? what.size() : sizeof(line) - n;
  std::memcpy(line + n, what.data(), take);
  (void)logMessage(LogLevel::Warn, std::string_view(line, n + take));
  return Status::Unimplemented;
}
}  // namespace detail

// ---- Shared data and queues (VM-wide) ----------------------------------------------------

/// A shared-data value and its compare-and-swap version, as getSharedData() returns it.
struct SharedValue {
  /// The value's bytes.
  HostBuffer value;
  uint32_t cas = 0;  ///< Pass back to setSharedData() for a compare-and-swap.
};

/// The value of shared key `key` and its cas; absent when the key was never set.
/// From any callback (shared data is VM-wide, namespaced by vm_id). Statuses: Ok, present or
/// absent (NotFound); InvalidMemoryAccess.
PROXY_WASM_NODISCARD inline Maybe<SharedValue> getSharedData(std::string_view key);

/// cas 0 writes unconditionally; otherwise CasMismatch when the key changed since the read
/// that returned `cas`. A missing key is created whatever the cas.
/// Every write gets a new cas. From any callback. Statuses: Ok; CasMismatch;
/// InvalidMemoryAccess.
PROXY_WASM_NODISCARD inline Status setSharedData(std::string_view key, std::string_view value, uint32_t cas = 0);

/// Creates (or reopens) queue `name` of this VM; the root of the context whose work is
/// running becomes its listener (onQueueReady).
/// Returns the queue id. From a callback (a root's, typically onStart). Statuses: Ok;
/// InvalidMemoryAccess; BadArgument when the context whose work is running is gone.
PROXY_WASM_NODISCARD inline Result<uint32_t> registerSharedQueue(std::string_view name);

/// Finds queue `name` registered by VM `vm_id` (empty: this VM); absent when nobody has.
/// From any callback. Statuses: Ok, present or absent (NotFound); InvalidMemoryAccess.
PROXY_WASM_NODISCARD inline Maybe<uint32_t> resolveSharedQueue(std::string_view vm_id, std::string_view name);

/// NotFound for an unknown queue id.
/// Appends `data` to queue `queue_id`; its listener gets onQueueReady() once per item, after
/// the current callback. Statuses: Ok; NotFound (see above); InvalidMemoryAccess.
PROXY_WASM_NODISCARD inline Status enqueueSharedQueue(uint32_t queue_id, std::string_view data);

/// The oldest item; absent when the queue is empty. NotFound for an unknown queue id.
/// Statuses: Ok, present or absent (Empty); NotFound; InvalidMemoryAccess. (vNEXT: an
/// unknown queue id is BadArgument, as the draft says.)
PROXY_WASM_NODISCARD inline Maybe<HostBuffer> dequeueSharedQueue(uint32_t queue_id);

/// Deletes queue `queue_id` (vNEXT). Statuses: Ok; BadArgument for an unknown id. ABI
/// v0.2.1: Unimplemented (its queues live as long as the VM).
PROXY_WASM_NODISCARD inline Status deleteSharedQueue(uint32_t queue_id);

// ---- Metrics (raw ids; see metrics.h for typed handles) ----------------------------------

/// On vNEXT the draft's calls do the same: a metric's id is the host's; an unknown id is
/// BadArgument there, not NotFound; recordMetric() sets the value whatever the type.
///
/// Defines metric `name` of `type` and returns its id (Envoy: stat "wasmcustom.<name>";
/// redefining a name gives a new id for the same stat). From a callback, never during
/// module start-up. Statuses: Ok; BadArgument for an unknown type; InvalidMemoryAccess.
PROXY_WASM_NODISCARD inline Result<uint32_t> defineMetric(MetricType type, std::string_view name);
/// Adds `offset` to metric `id`. Statuses: Ok; NotFound for an unknown id; BadArgument for
/// a counter with offset <= 0, or a histogram.
PROXY_WASM_NODISCARD inline Status incrementMetric(uint32_t id, int64_t offset);
/// Records `value` in metric `id`: a counter adds it, a gauge is set to it, a histogram
/// records a sample. Statuses: Ok; NotFound for an unknown id.
PROXY_WASM_NODISCARD inline Status recordMetric(uint32_t id, uint64_t value);
/// The value of metric `id`. Statuses: Ok; NotFound for an unknown id; BadArgument for a
/// histogram; InvalidMemoryAccess.
PROXY_WASM_NODISCARD inline Result<uint64_t> getMetric(uint32_t id);
/// Deletes metric `id` (vNEXT). Statuses: Ok; BadArgument for an unknown id. ABI v0.2.1:
/// Unimplemented (its metrics live as long as the VM).
PROXY_WASM_NODISCARD inline Status deleteMetric(uint32_t id);

// ---- Properties (raw bytes; see properties.h for typed values) ---------------------------
// The vNEXT draft has no properties: every property call there is Unimplemented.

/// A property path in wire form made at compile time by propertyPath(): keep it in a
/// `static constexpr` and pass it where a PropertyPath is expected; nothing is copied.
template <size_t Size>
struct StaticPropertyPath {
  char bytes[Size == 0 ? 1 : Size];  ///< The segments joined with NUL bytes.
  /// The path as the host receives it.
  constexpr std::string_view wire() const { return {bytes, Size}; }
};

/// The wire form of a path whose segments are string literals, made at compile time:
///
///     static constexpr auto kCode = proxy_wasm::propertyPath("response", "code");
///     auto code = proxy_wasm::getPropertyInt(kCode);   // no path is built per call
///
/// A PropertyPath made from a named StaticPropertyPath refers to its bytes (like a
/// std::string_view): keep the StaticPropertyPath static. From a temporary, it copies.
template <size_t... N>
constexpr StaticPropertyPath<(N + ... + 0) - 1> propertyPath(const char (&... segments)[N]) {
  static_assert(sizeof...(N) > 0, "a property path has at least one segment");
  StaticPropertyPath<(N + ... + 0) - 1> out{};
  size_t at = 0;
  bool first = true;
  auto put = [&](const char* segment, size_t size) {
    if (!first) out.bytes[at++] = '\0';
    first = false;
    for (size_t i = 0; i + 1 < size; ++i) out.bytes[at++] = segment[i];
  };
  (put(segments, N), ...);
  return out;
}

/// A property path: segments joined with NUL on the wire ({"request", "headers", "x-id"}).
/// Paths up to kInlineBytes bytes (every attribute Envoy documents) are kept inside the
/// object: building one allocates nothing. Longer paths go to the heap. A path made from a
/// named StaticPropertyPath (propertyPath()) refers to its bytes instead: nothing is built.
class PropertyPath {
 public:
  /// Wire bytes kept without allocating.
  static constexpr size_t kInlineBytes = 96;

  /// A path from its segments: `{"request", "headers", "x-id"}`.
  PropertyPath(std::initializer_list<std::string_view> segments) {  // NOLINT: implicit by design
    size_t size = segments.size() == 0 ? 0 : segments.size() - 1;
    for (auto s : segments) size += s.size();
    char* out = reserve(size);
    bool first = true;
    for (auto s : segments) {
      if (!first) *out++ = '\0';
      first = false;
      if (!s.empty()) std::memcpy(out, s.data(), s.size());
      out += s.size();
    }
  }
  /// A path already in wire form, or a single top-level name ("plugin_root_id").
  PropertyPath(std::string_view wire) { assign(wire); }  // NOLINT: implicit by design
  /// A path already in wire form, or a single top-level name.
  PropertyPath(const char* wire) { assign(wire); }       // NOLINT: implicit by design
  /// A path referring to the bytes of a named StaticPropertyPath (made by propertyPath()):
  /// nothing is copied, so that StaticPropertyPath must outlive this path (keep it static).
  template <size_t Size>
  PropertyPath(const StaticPropertyPath<Size>& path)  // NOLINT: implicit by design
      : size_(Size), borrowed_(true) {
    heap_ = const_cast<char*>(path.bytes);
  }
  /// From a temporary StaticPropertyPath: a copy, as from its wire form.
  template <size_t Size>
  PropertyPath(StaticPropertyPath<Size>&& path) {  // NOLINT: implicit by design
    assign(path.wire());
  }
  /// A copy (inline paths are copied in place; longer ones get their own heap block; a
  /// path referring to a StaticPropertyPath refers to it too).
  PropertyPath(const PropertyPath& other) { copyFrom(other); }
  /// Replaces this path with a copy of `other`.
  PropertyPath& operator=(const PropertyPath& other) {
    if (this != &other) {
      release();
      copyFrom(other);
    }
    return *this;
  }
  /// Frees the heap block of a path longer than kInlineBytes.
  ~PropertyPath() { release(); }
  /// The path as the host receives it (segments joined with NUL bytes).
  std::string_view wire() const { return {size_ > kInlineBytes || borrowed_ ? heap_ : inline_, size_}; }

 private:
  char* reserve(size_t size) {
    size_ = size;
    if (size <= kInlineBytes) return inline_;
    heap_ = new char[size];
    return heap_;
  }
  void assign(std::string_view wire) {
    char* out = reserve(wire.size());
    if (!wire.empty()) std::memcpy(out, wire.data(), wire.size());
  }
  void copyFrom(const PropertyPath& other) {
    if (other.borrowed_) {
      size_ = other.size_;
      borrowed_ = true;
      heap_ = other.heap_;
      return;
    }
    assign(other.wire());
  }
  void release() {
    if (size_ > kInlineBytes && !borrowed_) delete[] heap_;
    size_ = 0;
    borrowed_ = false;
  }

  size_t size_ = 0;
  bool borrowed_ = false;
  union {
    char inline_[kInlineBytes];
    char* heap_;
  };
};

/// The raw bytes of a property, as the context whose work is running sees it; absent when
/// the host has no such property.
/// Statuses: Ok, present or absent (NotFound); SerializationFailure when the host cannot
/// serialize the value; InvalidMemoryAccess; InternalFailure (Envoy, for some attributes);
/// BadArgument when the context whose work is running is gone.
PROXY_WASM_NODISCARD inline Maybe<HostBuffer> getPropertyBytes(const PropertyPath& path);

/// Stores `value` under `path` for the stream whose work is running (Envoy: filter state
/// "wasm.<path>"). NotFound where there is no stream (a root context).
/// Statuses: Ok; NotFound as above; BadArgument, InvalidMemoryAccess.
PROXY_WASM_NODISCARD inline Status setPropertyBytes(const PropertyPath& path, std::string_view value);

// ---- Context-bound host functions (the context classes' building blocks) -----------------

/// What getBufferStatus() reports about a buffer.
struct BufferStatus {
  /// The bytes in the buffer now.
  size_t size = 0;
  uint32_t flags = 0;  ///< Always 0 on current hosts.
};

/// The status of the last callout of the current root (code and message).
struct CallStatus {
  /// The status code: a gRPC status after a gRPC callout, Envoy's BrokenConnection (11) after a failed HTTP callout.
  uint32_t code = 0;
  /// The host's message; empty when it gave none.
  HostString message;
};

}  // namespace proxy_wasm

#if PROXY_WASM_ABI_VNEXT
#include "proxy_wasm/detail/backend_vnext.h"
#else
#include "proxy_wasm/detail/backend_v0_2_1.h"
#endif
