// SPDX-License-Identifier: GPL-2.0 OR MIT
// The `sequence` key, read alike by the server's [[user]] tables
// (nfknock.conf) and the client's [[server]] profiles (client.toml), so
// that both ends write and check the same parameters:
//
//   sequence = true                       # the core's defaults
//   sequence = false                      # none (the server's default)
//   sequence = { length = 4, range = "10000-65000", proto = "tcp",
//                window = "30s" }         # every field optional
//
// The limits are the core's (kmod/core/seq.h): what the kernel takes.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <utility>

#include <toml++/toml.h>

#include "model.hpp"

namespace knockctl {

// One problem at a line of the file, for a field ("user[0].sequence.length").
using ProblemSink = std::function<void(int line, const std::string &field,
				      const std::string &problem)>;

// The parameters @n gives, or nullopt for false or when it has problems
// (each one given to @add, under @field and its subfields).
std::optional<Sequence> parse_sequence_key(const toml::node &n,
					   const std::string &field,
					   const ProblemSink &add);

// "LO-HI" -> the range of a sequence's steps, at least NFK_SEQ_RANGE_MIN
// ports within 1..65535; UsageError "<text>: <problem>".
std::pair<uint16_t, uint16_t> parse_sequence_range(const std::string &text);

} // namespace knockctl
