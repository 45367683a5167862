// SPDX-License-Identifier: GPL-2.0 OR MIT
// One method per nfknock command: model in, model out. Uses the codec and
// a Transport; knows nothing about the command line.
#pragma once

#include <vector>

#include "derive.hpp"
#include "model.hpp"
#include "transport.hpp"

namespace knockctl {

class Client {
public:
	explicit Client(Transport &t) : t_(t) {}

	Status status();
	void set_params(const Params &params);
	void add_guard(const Service &svc);
	void del_guard(const Service &svc);
	std::vector<Service> guards();
	void add_grant(const Grant &grant);
	void del_grant(const Revoke &revoke);
	std::vector<Grant> grants();
	void flush();

	// Staged apply; every call goes over the same transport (socket).
	void txn_begin(const TxnParams &params);
	void txn_add_guard(const Service &svc);
	void txn_add_knock_port(const Service &svc);
	void txn_add_user(const User &user, const UserKeys &keys);
	void txn_commit();
	void txn_abort();
	std::vector<User> users();
	std::vector<Service> knock_ports();

private:
	Transport &t_;
};

} // namespace knockctl
