// HTTP and gRPC callouts: dispatch (proxy_http_call, proxy_grpc_*), delivery to the
// issuing root, proxy_get_status (callouts.h).
#include "proxy_wasm/host/model.h"

#include <algorithm>

namespace proxy_wasm::host {

std::vector<uint32_t> Model::pendingHttpCalls() const { return {pending_http_.begin(), pending_http_.end()}; }

bool Model::respondHttpCall(uint32_t token, const HeaderList& headers, std::string_view body,
                           const HeaderList& trailers) {
  if (!pending_http_.count(token)) return false;
  if (depth_ != 0) {
    // Envoy's onHttpCallSuccess during a VM call: deferred until after it.
    deferred_.push_back([this, token, headers, body = std::string(body), trailers] {
      respondHttpCall(token, headers, body, trailers);
    });
    return true;
  }
  pending_http_.erase(token);
  const uint32_t root = httpCall(token)->root_id;
  forgetHttpCall(token);
  if (!rootRecord(root)) return false;
  const std::string body_copy(body);
  callout_headers_ = &headers;
  callout_trailers_ = &trailers;
  callout_body_ = &body_copy;
  // Envoy leaves the root's status as it was on success (only failures set it).
  call(Callback::HttpCallResponse, root,
       {root, token, uint32_t(headers.size()), uint32_t(body_copy.size()), uint32_t(trailers.size())});
  callout_headers_ = callout_trailers_ = nullptr;
  callout_body_ = nullptr;
  runDeferred();
  return true;
}

bool Model::failHttpCall(uint32_t token) {
  if (!pending_http_.count(token)) return false;
  if (depth_ != 0) {
    deferred_.push_back([this, token] { failHttpCall(token); });
    return true;
  }
  pending_http_.erase(token);
  const uint32_t root = httpCall(token)->root_id;
  forgetHttpCall(token);
  RootRecord* r = rootRecord(root);
  if (!r) return false;
  r->last_status_code = uint32_t(Status::BrokenConnection);
  r->last_status_message = "reset";
  call(Callback::HttpCallResponse, root, {root, token, 0, 0, 0});
  // Envoy clears the message after the callback; the code stays.
  if (RootRecord* rr = rootRecord(root)) rr->last_status_message.clear();
  runDeferred();
  return true;
}

// Token lookups are one hash probe each (counters().token_lookups).
HttpCallRecord* Model::httpCall(uint32_t token) {
  ++counters_.token_lookups;
  auto it = http_index_.find(token);
  return it == http_index_.end() ? nullptr : &http_calls_[it->second];
}

GrpcCallRecord* Model::grpcCall(uint32_t token) {
  ++counters_.token_lookups;
  auto it = grpc_index_.find(token);
  return it == grpc_index_.end() ? nullptr : &grpc_calls_[it->second];
}

namespace {
// Drops records[index[token]] in O(1): the last record takes its place.
template <class Record>
void forget(std::vector<Record>& records, std::unordered_map<uint32_t, size_t>& index, uint32_t token) {
  auto it = index.find(token);
  if (it == index.end()) return;
  const size_t i = it->second;
  index.erase(it);
  if (i + 1 != records.size()) {
    records[i] = std::move(records.back());
    index[records[i].token] = i;
  }
  records.pop_back();
}
}  // namespace

void Model::forgetHttpCall(uint32_t token) {
  if (!options_.keep_callout_records) forget(http_calls_, http_index_, token);
}

void Model::forgetGrpcCall(uint32_t token) {
  if (options_.keep_callout_records || pending_grpc_.count(token) || grpc_remote_closed_.count(token)) return;
  forget(grpc_calls_, grpc_index_, token);
}

bool Model::respondGrpcCall(uint32_t token, std::string_view message) {
  GrpcCallRecord* c = grpcCall(token);
  if (!c || c->stream || !pending_grpc_.count(token)) return false;
  if (depth_ != 0) {
    deferred_.push_back([this, token, m = std::string(message)] { respondGrpcCall(token, m); });
    return true;
  }
  pending_grpc_.erase(token);
  const uint32_t root = c->root_id;
  const std::string msg(message);
  grpc_message_ = &msg;
  call(Callback::GrpcReceive, root, {root, token, uint32_t(msg.size())});
  grpc_message_ = nullptr;
  forgetGrpcCall(token);
  runDeferred();
  return true;
}

bool Model::grpcInitialMetadata(uint32_t token, const HeaderList& metadata) {
  GrpcCallRecord* c = grpcCall(token);
  if (!c || !pending_grpc_.count(token)) return false;
  if (depth_ != 0) {
    deferred_.push_back([this, token, metadata] { grpcInitialMetadata(token, metadata); });
    return true;
  }
  grpc_initial_ = &metadata;
  call(Callback::GrpcReceiveInitialMetadata, c->root_id, {c->root_id, token, uint32_t(metadata.size())});
  grpc_initial_ = nullptr;
  runDeferred();
  return true;
}

bool Model::grpcMessage(uint32_t token, std::string_view message) {
  GrpcCallRecord* c = grpcCall(token);
  if (!c || !pending_grpc_.count(token)) return false;
  if (!c->stream) return respondGrpcCall(token, message);
  if (depth_ != 0) {
    deferred_.push_back([this, token, m = std::string(message)] { grpcMessage(token, m); });
    return true;
  }
  const std::string msg(message);
  grpc_message_ = &msg;
  call(Callback::GrpcReceive, c->root_id, {c->root_id, token, uint32_t(msg.size())});
  grpc_message_ = nullptr;
  runDeferred();
  return true;
}

bool Model::grpcTrailingMetadata(uint32_t token, const HeaderList& metadata) {
  GrpcCallRecord* c = grpcCall(token);
  if (!c || !pending_grpc_.count(token)) return false;
  if (depth_ != 0) {
    deferred_.push_back([this, token, metadata] { grpcTrailingMetadata(token, metadata); });
    return true;
  }
  grpc_trailing_ = &metadata;
  call(Callback::GrpcReceiveTrailingMetadata, c->root_id, {c->root_id, token, uint32_t(metadata.size())});
  grpc_trailing_ = nullptr;
  runDeferred();
  return true;
}

bool Model::grpcClose(uint32_t token, GrpcStatus status, std::string_view message) {
  GrpcCallRecord* c = grpcCall(token);
  if (!c || !pending_grpc_.count(token)) return false;
  if (depth_ != 0) {
    deferred_.push_back([this, token, status, m = std::string(message)] { grpcClose(token, status, m); });
    return true;
  }
  pending_grpc_.erase(token);
  c->remote_closed = true;
  // Envoy keeps a stream the plugin has not closed yet: its proxy_grpc_close still works.
  if (c->stream && !c->local_closed) grpc_remote_closed_.insert(token);
  const uint32_t root = c->root_id;
  if (RootRecord* r = rootRecord(root)) {
    r->last_status_code = uint32_t(status);
    r->last_status_message = std::string(message);
  }
  call(Callback::GrpcClose, root, {root, token, uint32_t(status)});
  // Envoy clears the message after the callback; the code stays.
  if (RootRecord* r = rootRecord(root)) r->last_status_message.clear();
  forgetGrpcCall(token);
  runDeferred();
  return true;
}

Status Model::hGetStatus(uint32_t& code, std::string& message) {
  RootRecord* r = rootRecord(rootOf(effective()));
  if (!r) {
    code = 0;
    message.clear();
    return Status::Ok;
  }
  code = r->last_status_code;
  message = r->last_status_message;
  return Status::Ok;
}

bool Model::clusterKnown(std::string_view name) const {
  return !options_.clusters || options_.clusters->count(std::string(name)) != 0;
}

Status Model::hHttpCall(std::string_view upstream, std::string_view headers, std::string_view body,
                       std::string_view trailers, uint32_t timeout_ms, uint32_t& token) {
  const uint32_t root = rootOf(effective());
  if (!root) return Status::BadArgument;
  if (!clusterKnown(upstream)) return Status::BadArgument;
  HeaderList hdrs;
  const HeaderList sent = HeaderList::parse(headers);
  for (auto& [k, v] : sent.entries()) hdrs.add(k, v);
  if (!hdrs.has(":method") || !hdrs.has(":path") || !hdrs.has(":authority")) return Status::BadArgument;
  if (timeout_ms > 0x7FFFFFFFu) return Status::BadArgument;
  if (!body.empty()) hdrs.replace("content-length", std::to_string(body.size()));
  HttpCallRecord rec;
  rec.token = (next_callout_++) * 4;
  rec.root_id = root;
  rec.context_id = effective();
  rec.upstream = std::string(upstream);
  rec.headers = std::move(hdrs);
  rec.body = std::string(body);
  const HeaderList sent_trailers = HeaderList::parse(trailers);
  for (auto& [k, v] : sent_trailers.entries()) rec.trailers.add(k, v);
  rec.timeout_ms = timeout_ms;
  token = rec.token;
  pending_http_.insert(rec.token);
  http_index_[rec.token] = http_calls_.size();
  http_calls_.push_back(std::move(rec));
  return Status::Ok;
}

Status Model::hGrpcCall(std::string_view upstream, std::string_view service, std::string_view method,
                       std::string_view metadata, std::string_view message, uint32_t timeout_ms, uint32_t& token) {
  const uint32_t root = rootOf(effective());
  if (!root) return Status::BadArgument;
  if (!clusterKnown(upstream)) return Status::ParseFailure;
  GrpcCallRecord rec;
  rec.token = (next_callout_++) * 4 + 1;
  rec.root_id = root;
  rec.context_id = effective();
  rec.upstream = std::string(upstream);
  rec.service = std::string(service);
  rec.method = std::string(method);
  rec.initial_metadata = HeaderList::parse(metadata);
  rec.message = std::string(message);
  rec.timeout_ms = timeout_ms;
  token = rec.token;
  pending_grpc_.insert(rec.token);
  grpc_index_[rec.token] = grpc_calls_.size();
  grpc_calls_.push_back(std::move(rec));
  return Status::Ok;
}

Status Model::hGrpcStream(std::string_view upstream, std::string_view service, std::string_view method,
                         std::string_view metadata, uint32_t& token) {
  const uint32_t root = rootOf(effective());
  if (!root) return Status::BadArgument;
  if (!clusterKnown(upstream)) return Status::ParseFailure;
  GrpcCallRecord rec;
  rec.token = (next_callout_++) * 4 + 2;
  rec.root_id = root;
  rec.context_id = effective();
  rec.stream = true;
  rec.upstream = std::string(upstream);
  rec.service = std::string(service);
  rec.method = std::string(method);
  rec.initial_metadata = HeaderList::parse(metadata);
  token = rec.token;
  pending_grpc_.insert(rec.token);
  grpc_index_[rec.token] = grpc_calls_.size();
  grpc_calls_.push_back(std::move(rec));
  return Status::Ok;
}

Status Model::hGrpcSend(uint32_t token, std::string_view message, uint32_t end_stream) {
  if ((token & 3) != 2) return Status::BadArgument;
  GrpcCallRecord* c = grpcCall(token);
  if (!c || (!pending_grpc_.count(token) && !grpc_remote_closed_.count(token))) return Status::NotFound;
  c->sent.emplace_back(message);
  if (end_stream) c->local_closed = true;
  return Status::Ok;
}

Status Model::hGrpcCancel(uint32_t token) {
  if ((token & 3) != 1 && (token & 3) != 2) return Status::BadArgument;
  GrpcCallRecord* c = grpcCall(token);
  if (!c || (!pending_grpc_.erase(token) && !grpc_remote_closed_.erase(token))) return Status::NotFound;
  c->cancelled = true;  // no further events
  forgetGrpcCall(token);
  return Status::Ok;
}

Status Model::hGrpcClose(uint32_t token) {
  if ((token & 3) != 1 && (token & 3) != 2) return Status::BadArgument;
  GrpcCallRecord* c = grpcCall(token);
  if (c && grpc_remote_closed_.erase(token)) {
    c->local_closed = true;  // both ends closed: Envoy forgets the stream
    forgetGrpcCall(token);
    return Status::Ok;
  }
  if (!c || !pending_grpc_.count(token)) return Status::NotFound;
  if (c->stream) {
    c->local_closed = true;  // half-close: the remote may still answer
  } else {
    pending_grpc_.erase(token);
    c->cancelled = true;
    forgetGrpcCall(token);
  }
  return Status::Ok;
}

}  // namespace proxy_wasm::host
