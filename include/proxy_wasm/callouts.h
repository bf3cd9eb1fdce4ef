// HTTP and gRPC callouts: the requests (built with named fields), the responses handed to
// your callback, and gRPC stream handlers. Calls are made with a context's members
// (ContextBase::httpCall, grpcCall, grpcStream); the response runs later, in a callback of
// the host, with the calling context effective (so a stream can resume or answer its
// request from it). If that context is gone by then, the response is dropped.
#pragma once

#include <chrono>
#include <cstdint>
#include <initializer_list>
#include <string>
#include <string_view>
#include <utility>

#include "proxy_wasm/detail/callout.h"
#include "proxy_wasm/hostcalls.h"

namespace proxy_wasm {

namespace detail {
/// Builds a serialized pairs map (the wire format: count, then every key/value length,
/// then every NUL-terminated key and value) as pairs are added: two growing buffers, no
/// string per pair.
class PairsBuilder {
 public:
  void add(std::string_view key, std::string_view value) {
    char sizes[8];
    storeU32(sizes, uint32_t(key.size()));
    storeU32(sizes + 4, uint32_t(value.size()));
    lengths_.append(sizes, sizeof(sizes));
    data_.append(key.data(), key.size()).push_back('\0');
    data_.append(value.data(), value.size()).push_back('\0');
    ++count_;
  }
  template <class Range>
  void addAll(const Range& pairs) {
    for (const auto& p : pairs) add(std::string_view(p.first), std::string_view(p.second));
  }
  bool empty() const { return count_ == 0; }
  /// The map in wire form; empty when no pair was added (hosts take that as no map).
  std::string serialize() const {
    if (count_ == 0) return std::string();
    std::string out(4, '\0');
    storeU32(out.data(), count_);
    out.reserve(4 + lengths_.size() + data_.size());
    out.append(lengths_).append(data_);
    return out;
  }

 private:
  std::string lengths_, data_;
  uint32_t count_ = 0;
};
}  // namespace detail

/// An HTTP callout, with named fields:
///
///   httpCall(HttpRequest("auth")
///                .header(":method", "GET").header(":path", "/check").header(":authority", "auth")
///                .timeout(std::chrono::seconds(1)),
///            [this](const HttpCallResponse& response) { ... });
///
/// Envoy requires :method, :path and :authority, and a known cluster (BadArgument otherwise).
class HttpRequest {
 public:
  explicit HttpRequest(std::string_view cluster) : cluster_(cluster) {}

  HttpRequest& header(std::string_view key, std::string_view value) & {
    headers_.add(key, value);
    return *this;
  }
  HttpRequest&& header(std::string_view key, std::string_view value) && { return std::move(header(key, value)); }
  /// Adds every pair of any range of string pairs (initializer list, vector, HeaderMap, ...).
  template <class Range>
  HttpRequest& headers(const Range& pairs) & {
    headers_.addAll(pairs);
    return *this;
  }
  template <class Range>
  HttpRequest&& headers(const Range& pairs) && {
    return std::move(headers(pairs));
  }
  HttpRequest& headers(std::initializer_list<HeaderPair> pairs) & { return headers<>(pairs); }
  HttpRequest&& headers(std::initializer_list<HeaderPair> pairs) && { return std::move(headers<>(pairs)); }
  HttpRequest& body(std::string_view bytes) & {
    body_.assign(bytes.data(), bytes.size());
    return *this;
  }
  HttpRequest&& body(std::string_view bytes) && { return std::move(body(bytes)); }
  HttpRequest& trailer(std::string_view key, std::string_view value) & {
    trailers_.add(key, value);
    return *this;
  }
  HttpRequest&& trailer(std::string_view key, std::string_view value) && { return std::move(trailer(key, value)); }
  template <class Range>
  HttpRequest& trailers(const Range& pairs) & {
    trailers_.addAll(pairs);
    return *this;
  }
  template <class Range>
  HttpRequest&& trailers(const Range& pairs) && {
    return std::move(trailers(pairs));
  }
  /// No timeout (0) by default; Envoy refuses more than INT32_MAX ms with BadArgument.
  HttpRequest& timeout(std::chrono::milliseconds t) & {
    timeout_ms_ = t.count() <= 0 ? 0 : t.count() > 0xFFFFFFFFll ? 0xFFFFFFFFu : uint32_t(t.count());
    return *this;
  }
  HttpRequest&& timeout(std::chrono::milliseconds t) && { return std::move(timeout(t)); }

  std::string_view cluster() const { return cluster_; }
  uint32_t timeoutMs() const { return timeout_ms_; }
  std::string serializedHeaders() const { return headers_.serialize(); }
  std::string serializedTrailers() const { return trailers_.serialize(); }
  std::string_view bodyBytes() const { return body_; }

 private:
  std::string cluster_;
  detail::PairsBuilder headers_, trailers_;
  std::string body_;
  uint32_t timeout_ms_ = 0;
};

/// A gRPC call or stream: cluster (or a serialized GrpcService), service, method, initial
/// metadata; for a unary call also the serialized request message and a timeout.
class GrpcRequest {
 public:
  GrpcRequest(std::string_view cluster, std::string_view service, std::string_view method)
      : cluster_(cluster), service_(service), method_(method) {}

  GrpcRequest& metadata(std::string_view key, std::string_view value) & {
    metadata_.add(key, value);
    return *this;
  }
  GrpcRequest&& metadata(std::string_view key, std::string_view value) && { return std::move(metadata(key, value)); }
  template <class Range>
  GrpcRequest& metadata(const Range& pairs) & {
    metadata_.addAll(pairs);
    return *this;
  }
  template <class Range>
  GrpcRequest&& metadata(const Range& pairs) && {
    return std::move(metadata(pairs));
  }
  GrpcRequest& metadata(std::initializer_list<HeaderPair> pairs) & { return metadata<>(pairs); }
  GrpcRequest&& metadata(std::initializer_list<HeaderPair> pairs) && { return std::move(metadata<>(pairs)); }
  /// The serialized request message (bring your own protobuf codec). Unary calls only.
  GrpcRequest& message(std::string_view bytes) & {
    message_.assign(bytes.data(), bytes.size());
    return *this;
  }
  GrpcRequest&& message(std::string_view bytes) && { return std::move(message(bytes)); }
  /// Unary calls only (v0.2.1 streams have no timeout); 0 = none.
  GrpcRequest& timeout(std::chrono::milliseconds t) & {
    timeout_ms_ = t.count() <= 0 ? 0 : t.count() > 0xFFFFFFFFll ? 0xFFFFFFFFu : uint32_t(t.count());
    return *this;
  }
  GrpcRequest&& timeout(std::chrono::milliseconds t) && { return std::move(timeout(t)); }

  std::string_view cluster() const { return cluster_; }
  std::string_view service() const { return service_; }
  std::string_view method() const { return method_; }
  std::string serializedMetadata() const { return metadata_.serialize(); }
  std::string_view messageBytes() const { return message_; }
  uint32_t timeoutMs() const { return timeout_ms_; }

 private:
  std::string cluster_, service_, method_;
  detail::PairsBuilder metadata_;
  std::string message_;
  uint32_t timeout_ms_ = 0;
};

/// The response to an HTTP callout, valid during the callback only.
class HttpCallResponse {
 public:
  HttpCallResponse(uint32_t token, uint32_t headers, size_t body_size, uint32_t trailers)
      : token_(token), headers_(headers), body_size_(body_size), trailers_(trailers) {}

  uint32_t token() const { return token_; }
  /// The host reports a failed call (reset, timeout, no healthy upstream) with no headers.
  bool failed() const { return headers_ == 0; }
  /// Why the call failed (or Ok): the host's status code and message for this root's last
  /// callout (Envoy: BrokenConnection after a reset or timeout).
  PROXY_WASM_NODISCARD Result<CallStatus> failure() const {
    if (Status s = detail::actOnCurrent(); !s) return s;
    return detail::raw::getStatus();
  }
  uint32_t headerCount() const { return headers_; }
  size_t bodySize() const { return body_size_; }
  uint32_t trailerCount() const { return trailers_; }

  /// A response header; absent when the response has none by that name.
  PROXY_WASM_NODISCARD Maybe<HostString> header(std::string_view key) const {
    if (Status s = detail::actOnCurrent(); !s) return s;
    return detail::raw::getHeaderMapValue(MapType::HttpCallResponseHeaders, key);
  }
  PROXY_WASM_NODISCARD Result<HeaderMap> headers() const {
    if (Status s = detail::actOnCurrent(); !s) return s;
    return detail::raw::getHeaderMapPairs(MapType::HttpCallResponseHeaders);
  }
  PROXY_WASM_NODISCARD Result<HostBuffer> body(size_t start = 0, size_t max_size = kWholeBuffer) const {
    if (Status s = detail::actOnCurrent(); !s) return s;
    return detail::raw::getBufferBytes(BufferType::HttpCallResponseBody, start, max_size);
  }
  PROXY_WASM_NODISCARD Maybe<HostString> trailer(std::string_view key) const {
    if (Status s = detail::actOnCurrent(); !s) return s;
    return detail::raw::getHeaderMapValue(MapType::HttpCallResponseTrailers, key);
  }
  PROXY_WASM_NODISCARD Result<HeaderMap> trailers() const {
    if (Status s = detail::actOnCurrent(); !s) return s;
    return detail::raw::getHeaderMapPairs(MapType::HttpCallResponseTrailers);
  }
  /// The `:status` header as a number; 0 when absent or not a number (or the call failed).
  uint32_t status() const {
    auto s = header(":status");
    if (!s || s->empty() || s->size() > 3) return 0;
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

/// The outcome of a unary gRPC call, valid during the callback only.
class GrpcCallResponse {
 public:
  GrpcCallResponse(uint32_t token, GrpcStatus status, size_t message_size, bool replied)
      : token_(token), status_(status), message_size_(message_size), replied_(replied) {}

  uint32_t token() const { return token_; }
  /// True when the reply arrived. A call the host closed without a reply is not ok(), even
  /// when it reports status Ok (hosts expose an empty reply buffer then: not a reply).
  bool ok() const { return replied_; }
  GrpcStatus status() const { return status_; }
  size_t messageSize() const { return message_size_; }
  /// The reply message (raw bytes; bring your own protobuf codec). NotFound unless ok().
  PROXY_WASM_NODISCARD Result<HostBuffer> message() const {
    if (!ok()) return Status::NotFound;
    if (Status s = detail::actOnCurrent(); !s) return s;
    return detail::raw::getBufferBytes(BufferType::GrpcReceiveBuffer, 0, kWholeBuffer);
  }
  /// The host's status message for a failed call.
  PROXY_WASM_NODISCARD Result<HostString> statusMessage() const {
    if (Status s = detail::actOnCurrent(); !s) return s;
    auto st = detail::raw::getStatus();
    if (!st.ok()) return st.status();
    return std::move(st->message);
  }

 private:
  uint32_t token_;
  GrpcStatus status_;
  size_t message_size_;
  bool replied_;
};

class ContextBase;
namespace detail {
template <class>
class GrpcStreamCallout;
}  // namespace detail

/// Receives the events of a gRPC stream. Subclass it, and open the stream with
/// ContextBase::grpcStream(); the SDK owns the handler until the stream ends: after
/// onClose() (the SDK then also closes its side, as Envoy expects), after cancel(), or when
/// the context that opened it is deleted (the SDK then cancels the stream at the host).
class GrpcStreamHandler {
 public:
  GrpcStreamHandler() = default;
  GrpcStreamHandler(const GrpcStreamHandler&) = delete;
  GrpcStreamHandler& operator=(const GrpcStreamHandler&) = delete;
  virtual ~GrpcStreamHandler() = default;

  virtual void onInitialMetadata(uint32_t headers) { (void)headers; }
  virtual void onMessage(size_t size) { (void)size; }
  virtual void onTrailingMetadata(uint32_t trailers) { (void)trailers; }
  /// The remote closed the stream (or it failed). No event follows; the handler is deleted
  /// when this returns.
  virtual void onClose(GrpcStatus status) { (void)status; }

  uint32_t token() const { return token_; }
  /// Sends a message; end_stream half-closes the stream after it.
  PROXY_WASM_NODISCARD Status send(std::string_view message, bool end_stream = false);
  /// Half-closes the stream (local end of stream); events keep arriving until onClose().
  PROXY_WASM_NODISCARD Status close();
  /// Cancels the stream: no further event arrives, and the handler is deleted once the
  /// current callback returns (do not use it after cancel()).
  PROXY_WASM_NODISCARD Status cancel();

  /// In callbacks: the metadata and message of the event being delivered.
  PROXY_WASM_NODISCARD Maybe<HostString> initialMetadataValue(std::string_view key) const {
    if (Status s = detail::actOnCurrent(); !s) return s;
    return detail::raw::getHeaderMapValue(MapType::GrpcReceiveInitialMetadata, key);
  }
  PROXY_WASM_NODISCARD Result<HeaderMap> initialMetadata() const {
    if (Status s = detail::actOnCurrent(); !s) return s;
    return detail::raw::getHeaderMapPairs(MapType::GrpcReceiveInitialMetadata);
  }
  PROXY_WASM_NODISCARD Maybe<HostString> trailingMetadataValue(std::string_view key) const {
    if (Status s = detail::actOnCurrent(); !s) return s;
    return detail::raw::getHeaderMapValue(MapType::GrpcReceiveTrailingMetadata, key);
  }
  PROXY_WASM_NODISCARD Result<HeaderMap> trailingMetadata() const {
    if (Status s = detail::actOnCurrent(); !s) return s;
    return detail::raw::getHeaderMapPairs(MapType::GrpcReceiveTrailingMetadata);
  }
  PROXY_WASM_NODISCARD Result<HostBuffer> message() const {
    if (Status s = detail::actOnCurrent(); !s) return s;
    return detail::raw::getBufferBytes(BufferType::GrpcReceiveBuffer, 0, kWholeBuffer);
  }
  PROXY_WASM_NODISCARD Result<HostString> statusMessage() const {
    if (Status s = detail::actOnCurrent(); !s) return s;
    auto st = detail::raw::getStatus();
    if (!st.ok()) return st.status();
    return std::move(st->message);
  }

 private:
  friend class ContextBase;
  void bind(detail::Callout* callout, uint32_t token) {
    callout_ = callout;
    token_ = token;
  }
  uint32_t token_ = 0;
  detail::Callout* callout_ = nullptr;
};

namespace detail {

template <class F>
class HttpCallout final : public Callout {
 public:
  explicit HttpCallout(F&& fn) : Callout(Kind::Http), fn_(std::forward<F>(fn)) {}
  void onHttpResponse(uint32_t headers, size_t body_size, uint32_t trailers) override {
    fn_(HttpCallResponse(token, headers, body_size, trailers));
  }

 private:
  std::decay_t<F> fn_;
};

template <class F>
class GrpcCallCallout final : public Callout {
 public:
  explicit GrpcCallCallout(F&& fn) : Callout(Kind::GrpcCall), fn_(std::forward<F>(fn)) {}
  void onGrpcMessage(size_t size) override { fn_(GrpcCallResponse(token, GrpcStatus::Ok, size, true)); }
  void onGrpcClose(GrpcStatus status) override { fn_(GrpcCallResponse(token, status, 0, false)); }

 private:
  std::decay_t<F> fn_;
};

template <class H>
class GrpcStreamCallout final : public Callout {
 public:
  explicit GrpcStreamCallout(H* handler) : Callout(Kind::GrpcStream), handler_(handler) {}
  ~GrpcStreamCallout() override { delete handler_; }
  void onGrpcInitialMetadata(uint32_t headers) override { handler_->onInitialMetadata(headers); }
  void onGrpcMessage(size_t size) override { handler_->onMessage(size); }
  void onGrpcTrailingMetadata(uint32_t trailers) override { handler_->onTrailingMetadata(trailers); }
  void onGrpcClose(GrpcStatus status) override { handler_->onClose(status); }
  H* handler() const { return handler_; }

 private:
  H* handler_;
};

}  // namespace detail
}  // namespace proxy_wasm
