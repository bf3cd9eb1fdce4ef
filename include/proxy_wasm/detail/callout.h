// Outstanding HTTP/gRPC callouts: token -> (issuing context, handler). Hosts deliver every
// callout event to the root; the dispatcher routes it back to the context that issued it.
#pragma once

#include <cstddef>
#include <cstdint>

#include "proxy_wasm/abi.h"

namespace proxy_wasm {
namespace detail {

class Callout {
 public:
  Callout() = default;
  Callout(const Callout&) = delete;
  Callout& operator=(const Callout&) = delete;
  virtual ~Callout() = default;

  virtual void onHttpResponse(uint32_t headers, size_t body_size, uint32_t trailers) {
    (void)headers, (void)body_size, (void)trailers;
  }
  virtual void onGrpcInitialMetadata(uint32_t headers) { (void)headers; }
  virtual void onGrpcMessage(size_t size) { (void)size; }
  virtual void onGrpcTrailingMetadata(uint32_t trailers) { (void)trailers; }
  virtual void onGrpcClose(GrpcStatus status) { (void)status; }
  // True for a unary call: its reply message is its last event.
  virtual bool endsOnMessage() const { return false; }

  uint32_t token = 0;
  uint32_t context_id = 0;
  Callout* next = nullptr;
};

// Intrusive list: constant-initialized, one node per outstanding callout.
inline Callout* g_callouts = nullptr;

inline void addCallout(Callout* c) {
  c->next = g_callouts;
  g_callouts = c;
}

inline Callout* findCallout(uint32_t token) {
  for (Callout* c = g_callouts; c; c = c->next)
    if (c->token == token) return c;
  return nullptr;
}

// Unlinks (does not delete) `c`.
inline void unlinkCallout(Callout* c) {
  for (Callout** p = &g_callouts; *p; p = &(*p)->next) {
    if (*p == c) {
      *p = c->next;
      c->next = nullptr;
      return;
    }
  }
}

// Deletes every callout issued by `context_id` (the context is going away: a late
// response must not reach a destroyed object).
inline void dropCallouts(uint32_t context_id) {
  for (Callout** p = &g_callouts; *p;) {
    Callout* c = *p;
    if (c->context_id == context_id) {
      *p = c->next;
      delete c;
    } else {
      p = &c->next;
    }
  }
}

}  // namespace detail
}  // namespace proxy_wasm
