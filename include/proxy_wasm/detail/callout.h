// An outstanding HTTP or gRPC callout: its token, the context that issued it and its
// handler. Hosts deliver every callout event to the issuer's root; the dispatcher finds the
// callout by token (O(1)) and runs it with the issuer effective. A context keeps its
// callouts in a list, so its deletion cancels them.
#pragma once

#include <cstddef>
#include <cstdint>

#include "proxy_wasm/types.h"

namespace proxy_wasm {
class ContextBase;
namespace detail {

class Callout {
 public:
  enum class Kind : uint8_t { Http, GrpcCall, GrpcStream };

  explicit Callout(Kind kind) : kind(kind) {}
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

  const Kind kind;
  bool finished = false;      // no more events will be delivered (or it was cancelled)
  bool local_closed = false;  // gRPC stream: the plugin half-closed it
  uint32_t token = 0;
  ContextBase* issuer = nullptr;
  Callout* prev = nullptr;  // the issuer's list
  Callout* next = nullptr;
  Callout* next_dead = nullptr;
};

}  // namespace detail
}  // namespace proxy_wasm
