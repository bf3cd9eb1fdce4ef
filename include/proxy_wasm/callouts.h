// HTTP and gRPC callouts from any context, with the response delivered to the context
// that made the call (the host delivers it to the root; the SDK makes the calling
// context effective before invoking your callback).
#pragma once

#include <cstdint>
#include <initializer_list>
#include <string_view>
#include <utility>

#include "proxy_wasm/detail/callout.h"
#include "proxy_wasm/hostcalls.h"

namespace proxy_wasm {

namespace detail {
template <class>
class GrpcStreamCallout;
// The callout whose event is being delivered (so cancel() from inside it is deferred).
inline Callout* g_delivering = nullptr;
}  // namespace detail

// The response to an HTTP callout, valid during the callback only.
class HttpCallResponse {
 public:
  HttpCallResponse(uint32_t token, uint32_t headers, size_t body_size, uint32_t trailers)
      : token_(token), headers_(headers), body_size_(body_size), trailers_(trailers) {}

  uint32_t token() const { return token_; }
  // The host reports a failed call (reset, timeout, no healthy upstream) with no headers.
  bool failed() const { return headers_ == 0; }
  // Why the call failed (or Ok): the host's status code and message for this root's last
  // callout (Envoy: BrokenConnection after a reset or timeout).
  PROXY_WASM_NODISCARD Result<CallStatus> failure() const { return getStatus(); }
  uint32_t headerCount() const { return headers_; }
  size_t bodySize() const { return body_size_; }
  uint32_t trailerCount() const { return trailers_; }

  PROXY_WASM_NODISCARD Result<HostString> header(std::string_view key) const {
    return getHeaderMapValue(MapType::HttpCallResponseHeaders, key);
  }
  PROXY_WASM_NODISCARD Result<HeaderMap> headers() const { return getHeaderMapPairs(MapType::HttpCallResponseHeaders); }
  PROXY_WASM_NODISCARD Result<HostBuffer> body(size_t start = 0, size_t max_size = kWholeBuffer) const {
    return getBufferBytes(BufferType::HttpCallResponseBody, start, max_size);
  }
  PROXY_WASM_NODISCARD Result<HostString> trailer(std::string_view key) const {
    return getHeaderMapValue(MapType::HttpCallResponseTrailers, key);
  }
  PROXY_WASM_NODISCARD Result<HeaderMap> trailers() const { return getHeaderMapPairs(MapType::HttpCallResponseTrailers); }
  // The `:status` header as a number; 0 when absent or not a number (or the call failed).
  uint32_t status() const {
    auto s = header(":status");
    if (!s.ok() || s->empty() || s->size() > 3) return 0;
    uint32_t code = 0;
    for (char c : s->view()) {
      if (c < '0' || c > '9') return 0;
      code = code * 10 + uint32_t(c - '0');
    }
    return code;
  }

 private:
  uint32_t token_;
  uint32_t headers_;
  size_t body_size_;
  uint32_t trailers_;
};

// The outcome of a unary gRPC call, valid during the callback only.
class GrpcCallResponse {
 public:
  GrpcCallResponse(uint32_t token, GrpcStatus status, size_t message_size, bool replied)
      : token_(token), status_(status), message_size_(message_size), replied_(replied) {}

  uint32_t token() const { return token_; }
  // True when the reply arrived. A call the host closed without a reply is not ok(), even
  // when it reports status Ok (hosts expose an empty reply buffer then: not a reply).
  bool ok() const { return replied_; }
  GrpcStatus status() const { return status_; }
  size_t messageSize() const { return message_size_; }
  // The reply message (raw bytes; bring your own protobuf codec). Only when ok().
  PROXY_WASM_NODISCARD Result<HostBuffer> message() const {
    if (!ok()) return Status::NotFound;
    return getBufferBytes(BufferType::GrpcReceiveBuffer);
  }
  // The host's status message for a failed call.
  PROXY_WASM_NODISCARD Result<HostString> statusMessage() const {
    auto st = getStatus();
    if (!st.ok()) return st.status();
    return std::move(st->message);
  }

 private:
  uint32_t token_;
  GrpcStatus status_;
  size_t message_size_;
  bool replied_;
};

// Receives the events of a gRPC stream. Subclass it, and open it with
// ContextBase::grpcStream(); the SDK owns it until onClose() returns.
class GrpcStreamHandler {
 public:
  virtual ~GrpcStreamHandler() = default;

  virtual void onInitialMetadata(uint32_t headers) { (void)headers; }
  virtual void onMessage(size_t size) { (void)size; }
  virtual void onTrailingMetadata(uint32_t trailers) { (void)trailers; }
  virtual void onClose(GrpcStatus status) { (void)status; }

  uint32_t token() const { return token_; }
  PROXY_WASM_NODISCARD Status send(std::string_view message, bool end_stream = false) {
    return grpcSend(token_, message, end_stream);
  }
  // Half-closes the stream (local end of stream).
  PROXY_WASM_NODISCARD Status close() { return grpcClose(token_); }
  // Cancels the stream; no further events arrive.
  PROXY_WASM_NODISCARD Status cancel() { return grpcCancel(token_); }

  // In callbacks: the metadata and message of the event being delivered.
  PROXY_WASM_NODISCARD Result<HostString> initialMetadataValue(std::string_view key) const {
    return getHeaderMapValue(MapType::GrpcReceiveInitialMetadata, key);
  }
  PROXY_WASM_NODISCARD Result<HeaderMap> initialMetadata() const {
    return getHeaderMapPairs(MapType::GrpcReceiveInitialMetadata);
  }
  PROXY_WASM_NODISCARD Result<HostString> trailingMetadataValue(std::string_view key) const {
    return getHeaderMapValue(MapType::GrpcReceiveTrailingMetadata, key);
  }
  PROXY_WASM_NODISCARD Result<HeaderMap> trailingMetadata() const {
    return getHeaderMapPairs(MapType::GrpcReceiveTrailingMetadata);
  }
  PROXY_WASM_NODISCARD Result<HostBuffer> message() const { return getBufferBytes(BufferType::GrpcReceiveBuffer); }
  PROXY_WASM_NODISCARD Result<HostString> statusMessage() const {
    auto st = getStatus();
    if (!st.ok()) return st.status();
    return std::move(st->message);
  }

 private:
  template <class>
  friend class detail::GrpcStreamCallout;
  uint32_t token_ = 0;
};

namespace detail {

template <class F>
class HttpCallout final : public Callout {
 public:
  explicit HttpCallout(F&& fn) : fn_(std::forward<F>(fn)) {}
  void onHttpResponse(uint32_t headers, size_t body_size, uint32_t trailers) override {
    fn_(HttpCallResponse(token, headers, body_size, trailers));
  }

 private:
  std::decay_t<F> fn_;
};

template <class F>
class GrpcCallCallout final : public Callout {
 public:
  explicit GrpcCallCallout(F&& fn) : fn_(std::forward<F>(fn)) {}
  void onGrpcMessage(size_t size) override { fn_(GrpcCallResponse(token, GrpcStatus::Ok, size, true)); }
  void onGrpcClose(GrpcStatus status) override { fn_(GrpcCallResponse(token, status, 0, false)); }
  bool endsOnMessage() const override { return true; }

 private:
  std::decay_t<F> fn_;
};

template <class H>
class GrpcStreamCallout final : public Callout {
 public:
  explicit GrpcStreamCallout(H* handler) : handler_(handler) {}
  ~GrpcStreamCallout() override { delete handler_; }
  void onGrpcInitialMetadata(uint32_t headers) override { handler_->onInitialMetadata(headers); }
  void onGrpcMessage(size_t size) override { handler_->onMessage(size); }
  void onGrpcTrailingMetadata(uint32_t trailers) override { handler_->onTrailingMetadata(trailers); }
  void onGrpcClose(GrpcStatus status) override { handler_->onClose(status); }
  void setToken(uint32_t t) {
    token = t;
    handler_->token_ = t;
  }

 private:
  H* handler_;
};

}  // namespace detail

// Headers for a callout or local response, e.g. {{":method", "GET"}, {":path", "/"}}.
using Headers = std::initializer_list<HeaderPair>;

}  // namespace proxy_wasm
