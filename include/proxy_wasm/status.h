// Statuses and results: how every host answer reaches plugin code, without exceptions.
//
//   if (auto s = addRequestHeader("x-a", "1"); !s) logWarn("cannot add x-a: ", s);
//
//   Result<T>  a value, or the status that explains why there is none (value() on an
//              error is a fatal plugin error that names the status; value_or() exists).
//   Maybe<T>   for lookups: a value, nothing (absence is not an error: a missing header,
//              property, shared key, an empty queue), or the host failure that kept the
//              SDK from looking.
#pragma once

#include <cstdint>
#include <new>
#include <string_view>
#include <type_traits>
#include <utility>

#include "proxy_wasm/config.h"
#include "proxy_wasm/detail/trap.h"
#include "proxy_wasm/types.h"

namespace proxy_wasm {

/// The outcome of a host call. Its codes are the SDK's own (detail/wire.h maps each ABI's
/// codes onto them); `Status::Ok` and friends compare and convert as if Status were an enum.
class PROXY_WASM_NODISCARD Status {
 public:
  /// The codes: ABI v0.2.1's (docs/abi.md §4) plus UnknownStatus. A Code converts to a Status
  /// implicitly, so `s == Status::NotFound` reads naturally.
  enum Code : uint32_t {
    Ok = 0,                    ///< Success.
    NotFound = 1,              ///< Missing header, key, property, queue, metric or buffer; nothing pending.
    BadArgument = 2,           ///< Out-of-range enum, wrong phase, unknown context id or cluster, bad metric use.
    SerializationFailure = 3,  ///< A property the host cannot serialize, or one of another type than asked.
    ParseFailure = 4,          ///< Malformed input: a gRPC upstream the host cannot parse, a malformed map.
    BadExpression = 5,  ///< Defined by hosts, never returned.
    InvalidMemoryAccess = 6,   ///< A pointer or size outside linear memory, or the allocator returned 0.
    Empty = 7,                 ///< Dequeue from an empty queue (the SDK reports it as absent).
    CasMismatch = 8,           ///< Shared data changed since the read that gave the cas.
    ResultMismatch = 9,  ///< Defined by hosts, never returned.
    InternalFailure = 10,      ///< The host failed, or disabled the capability.
    BrokenConnection = 11,  ///< Envoy's `proxy_get_status` code after a failed HTTP call.
    Unimplemented = 12,        ///< Envoy: continuing the upstream direction of a TCP stream.
    NotAllowed = 13,        ///< The vNEXT draft's: the operation is not allowed here.
    InvalidOperation = 14,  ///< The vNEXT draft's: the operation is invalid in this state.
    UnknownStatus = 0xFF,   ///< A code this SDK does not know (a host newer than it).
  };

  /// A status with `code`; Ok by default. Implicit, so a Code (`Status::NotFound`) is a Status.
  constexpr Status(Code code = Ok) : code_(code) {}  // NOLINT: implicit by design

  /// The code, for a switch.
  constexpr Code code() const { return code_; }
  /// True for Ok.
  constexpr bool ok() const { return code_ == Ok; }
  /// True for Ok: `if (!s)` tests for a failure.
  constexpr explicit operator bool() const { return ok(); }
  /// The spec's name of the status, e.g. "NotFound".
  constexpr std::string_view name() const {
    switch (code_) {
      case Ok: return "Ok";
      case NotFound: return "NotFound";
      case BadArgument: return "BadArgument";
      case SerializationFailure: return "SerializationFailure";
      case ParseFailure: return "ParseFailure";
      case BadExpression: return "BadExpression";
      case InvalidMemoryAccess: return "InvalidMemoryAccess";
      case Empty: return "Empty";
      case CasMismatch: return "CasMismatch";
      case ResultMismatch: return "ResultMismatch";
      case InternalFailure: return "InternalFailure";
      case BrokenConnection: return "BrokenConnection";
      case Unimplemented: return "Unimplemented";
      case NotAllowed: return "NotAllowed";
      case InvalidOperation: return "InvalidOperation";
      case UnknownStatus: break;
    }
    return "UnknownStatus";
  }

  /// Statuses compare by code, with each other and with a Code.
  friend constexpr bool operator==(Status a, Status b) { return a.code_ == b.code_; }
  friend constexpr bool operator!=(Status a, Status b) { return a.code_ != b.code_; }
  friend constexpr bool operator==(Status a, Code b) { return a.code_ == b; }
  friend constexpr bool operator!=(Status a, Code b) { return a.code_ != b; }
  friend constexpr bool operator==(Code a, Status b) { return a == b.code_; }
  friend constexpr bool operator!=(Code a, Status b) { return a != b.code_; }

 private:
  Code code_;
};

/// The name of a status, e.g. "NotFound" (same as s.name()).
constexpr std::string_view statusName(Status s) { return s.name(); }

/// The name of an action ("Continue", "Pause", "EndStream", ...), as log lines print it.
constexpr std::string_view actionName(Action a) {
  switch (a) {
    case Action::Continue: return "Continue";
    case Action::Pause: return "Pause";
    case Action::EndStream: return "EndStream";
    case Action::Done: return "Done";
    case Action::WaitForMoreData: return "WaitForMoreData";
    case Action::WaitForEndOrFull: return "WaitForEndOrFull";
    case Action::Close: return "Close";
  }
  return "unknown";
}

/// The host's name of a log level ("trace" ... "critical", "off"), as log lines print it.
constexpr std::string_view logLevelName(LogLevel l) {
  switch (l) {
    case LogLevel::Trace: return "trace";
    case LogLevel::Debug: return "debug";
    case LogLevel::Info: return "info";
    case LogLevel::Warn: return "warn";
    case LogLevel::Error: return "error";
    case LogLevel::Critical: return "critical";
    case LogLevel::Off: return "off";
  }
  return "unknown";
}

namespace detail {

[[noreturn]] inline void badAccess(const char* what, Status s) {
  // Built without the logging layer (status.h sits below it): a fixed prefix plus the name.
  char message[96];
  size_t n = 0;
  for (const char* p = what; *p && n < sizeof(message); ++p) message[n++] = *p;
  for (char c : s.name())
    if (n < sizeof(message)) message[n++] = c;
  trap(std::string_view(message, n));
}

[[noreturn]] inline void badMaybe(Status s) {
  if (s.ok()) trap("proxy_wasm::Maybe::value() on an absent value");
  badAccess("proxy_wasm::Maybe::value() on error status ", s);
}

/// Storage for a T that may be absent, without requiring T to be default-constructible.
template <class T>
class Slot {
 public:
  Slot() noexcept {}
  Slot(const Slot& other) : has_(other.has_) {
    if (has_) new (&value_) T(other.value_);
  }
  Slot(Slot&& other) noexcept(std::is_nothrow_move_constructible_v<T>) : has_(other.has_) {
    if (has_) new (&value_) T(std::move(other.value_));
  }
  Slot& operator=(const Slot& other) {
    if (this != &other) {
      reset();
      if (other.has_) emplace(other.value_);
    }
    return *this;
  }
  Slot& operator=(Slot&& other) noexcept(std::is_nothrow_move_constructible_v<T>) {
    if (this != &other) {
      reset();
      if (other.has_) emplace(std::move(other.value_));
    }
    return *this;
  }
  PROXY_WASM_ALWAYS_INLINE ~Slot() { reset(); }

  template <class... A>
  void emplace(A&&... args) {
    new (&value_) T(std::forward<A>(args)...);
    has_ = true;
  }
  PROXY_WASM_ALWAYS_INLINE void reset() {
    if (has_) value_.~T();
    has_ = false;
  }
  bool has() const { return has_; }
  T& get() { return value_; }
  const T& get() const { return value_; }

 private:
  union {
    T value_;
  };
  bool has_ = false;
};

}  // namespace detail

/// A value, or the status that explains its absence. Falsy unless the host answered Ok.
/// value(), operator* and operator-> on an error are a fatal plugin error that names the
/// status (a `critical` log line, then a trap); check ok() first, or use value_or().
template <class T>
class PROXY_WASM_NODISCARD Result {
 public:
  /// An Ok result holding `value` (implicit: return a value where a Result is expected).
  Result(T value) : status_(Status::Ok) { slot_.emplace(std::move(value)); }  // NOLINT: implicit by design
  /// A failed result with `status` (implicit: return a Status where a Result is expected). Ok,
  /// which would leave it without a value, becomes InternalFailure.
  Result(Status status) : status_(status.ok() ? Status(Status::InternalFailure) : status) {}  // NOLINT
  /// A failed result with `code` (same as from a Status).
  Result(Status::Code code) : Result(Status(code)) {}                                         // NOLINT
  // Constructs the value in place from `args` (no temporary to move from and destroy).
  /// An Ok result whose value is constructed in place from `args`.
  template <class... A>
  explicit Result(std::in_place_t, A&&... args) : status_(Status::Ok) {
    slot_.emplace(std::forward<A>(args)...);
  }

  /// True when there is a value (the host answered Ok).
  bool ok() const { return status_.ok(); }
  /// True when there is a value: `if (auto r = ...)`.
  explicit operator bool() const { return ok(); }
  /// Ok when there is a value; otherwise the status that explains why not (any status
  /// the call that made this Result documents).
  Status status() const { return status_; }

  /// The value; on an error a fatal plugin error naming the status (check ok() first).
  T& value() & { return check(); }
  /// The value (const); on an error a fatal plugin error naming the status.
  const T& value() const& { return const_cast<Result*>(this)->check(); }
  /// The value, moved out of a temporary Result; fatal on an error.
  T&& value() && { return std::move(check()); }
  /// The value, as value() (fatal on an error).
  PROXY_WASM_ALWAYS_INLINE T& operator*() & { return check(); }
  /// The value (const), as value() (fatal on an error).
  PROXY_WASM_ALWAYS_INLINE const T& operator*() const& { return const_cast<Result*>(this)->check(); }
  /// The value moved out, as value() (fatal on an error).
  T&& operator*() && { return std::move(check()); }
  /// A member of the value, as value() (fatal on an error).
  PROXY_WASM_ALWAYS_INLINE T* operator->() { return &check(); }
  /// A member of the value (const), as value() (fatal on an error).
  PROXY_WASM_ALWAYS_INLINE const T* operator->() const { return &const_cast<Result*>(this)->check(); }

  /// The value, or `fallback` on an error.
  template <class U>
  T value_or(U&& fallback) const& {
    return ok() ? slot_.get() : static_cast<T>(std::forward<U>(fallback));
  }
  /// The value (moved out), or `fallback` on an error.
  template <class U>
  T value_or(U&& fallback) && {
    return ok() ? std::move(slot_.get()) : static_cast<T>(std::forward<U>(fallback));
  }

 private:
  PROXY_WASM_ALWAYS_INLINE T& check() {
    if (PROXY_WASM_UNLIKELY(!status_.ok())) detail::badAccess("proxy_wasm::Result::value() on error status ", status_);
    return slot_.get();
  }
  detail::Slot<T> slot_;
  Status status_;
};

/// The answer to a lookup: a value, nothing, or a host failure.
///
///   if (auto user = getRequestHeader("x-user")) use(*user);      // present
///   else if (!user.ok()) logWarn("cannot read x-user: ", user.status());  // failed
///
/// Truthy when a value is present. ok() is true when the host answered (present or absent);
/// status() is the failure otherwise. value(), * and -> without a value are a fatal plugin
/// error (naming "absent" or the status); value_or() gives a fallback for both cases.
template <class T>
class PROXY_WASM_NODISCARD Maybe {
 public:
  /// An absent value (the host answered; there is nothing).
  Maybe() : status_(Status::Ok) {}                                          // absent
  /// A present value (implicit: return a value where a Maybe is expected).
  Maybe(T value) : status_(Status::Ok) { slot_.emplace(std::move(value)); }  // NOLINT: implicit by design
  /// From a host status: Ok means absent, anything else is the failure.
  Maybe(Status status) : status_(status) {}  // NOLINT: Ok = absent, anything else = failure
  /// From a code: Ok means absent, anything else is the failure.
  Maybe(Status::Code code) : status_(code) {}  // NOLINT
  // Constructs the value in place from `args` (no temporary to move from and destroy).
  /// A present value constructed in place from `args`.
  template <class... A>
  explicit Maybe(std::in_place_t, A&&... args) : status_(Status::Ok) {
    slot_.emplace(std::forward<A>(args)...);
  }

  /// An absent value; the same as Maybe().
  static Maybe absent() { return Maybe(); }

  /// True when a value is present.
  bool has_value() const { return slot_.has(); }
  /// True when a value is present: `if (auto h = getRequestHeader("x"))`.
  explicit operator bool() const { return has_value(); }
  /// True when the host answered, with a value or without one; false on a failure.
  bool ok() const { return status_.ok(); }
  /// Ok when present or absent; otherwise the failure (any status the lookup that made
  /// this Maybe documents, never NotFound: absence is Ok).
  Status status() const { return status_; }

  /// The value; without one a fatal plugin error naming "absent" or the status.
  T& value() & { return check(); }
  /// The value (const); without one a fatal plugin error.
  const T& value() const& { return const_cast<Maybe*>(this)->check(); }
  /// The value, moved out of a temporary Maybe; fatal without one.
  T&& value() && { return std::move(check()); }
  /// The value, as value() (fatal without one).
  PROXY_WASM_ALWAYS_INLINE T& operator*() & { return check(); }
  /// The value (const), as value() (fatal without one).
  PROXY_WASM_ALWAYS_INLINE const T& operator*() const& { return const_cast<Maybe*>(this)->check(); }
  /// The value moved out, as value() (fatal without one).
  T&& operator*() && { return std::move(check()); }
  /// A member of the value, as value() (fatal without one).
  PROXY_WASM_ALWAYS_INLINE T* operator->() { return &check(); }
  /// A member of the value (const), as value() (fatal without one).
  PROXY_WASM_ALWAYS_INLINE const T* operator->() const { return &const_cast<Maybe*>(this)->check(); }

  /// The value, or `fallback` when absent or failed.
  template <class U>
  T value_or(U&& fallback) const& {
    return has_value() ? slot_.get() : static_cast<T>(std::forward<U>(fallback));
  }
  /// The value (moved out), or `fallback` when absent or failed.
  template <class U>
  T value_or(U&& fallback) && {
    return has_value() ? std::move(slot_.get()) : static_cast<T>(std::forward<U>(fallback));
  }

 private:
  PROXY_WASM_ALWAYS_INLINE T& check() {
    if (PROXY_WASM_UNLIKELY(!slot_.has())) detail::badMaybe(status_);
    return slot_.get();
  }
  detail::Slot<T> slot_;
  Status status_;
};

}  // namespace proxy_wasm
