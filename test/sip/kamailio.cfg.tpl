#!KAMAILIO
# Test-only SIP registrar/proxy for Threadline's softphone tests. Loopback only, no auth: the
# harness (test/sip/kamailio.ts) substitutes the ports and starts one instance per test run.

debug=2
log_stderror=yes
memdbg=5
memlog=5
children=2
tcp_children=2
auto_aliases=no
listen=udp:127.0.0.1:__UDP_PORT__
listen=tcp:127.0.0.1:__WS_PORT__
# WebSocket upgrades arrive as HTTP without Content-Length.
tcp_accept_no_cl=yes
tcp_connection_lifetime=3605

mpath="/usr/lib/x86_64-linux-gnu/kamailio/modules/"
loadmodule "kex.so"
loadmodule "corex.so"
loadmodule "tm.so"
loadmodule "tmx.so"
loadmodule "sl.so"
loadmodule "rr.so"
loadmodule "pv.so"
loadmodule "maxfwd.so"
loadmodule "textops.so"
loadmodule "siputils.so"
loadmodule "xlog.so"
loadmodule "sanity.so"
loadmodule "usrloc.so"
loadmodule "registrar.so"
loadmodule "nathelper.so"
loadmodule "xhttp.so"
loadmodule "websocket.so"

modparam("usrloc", "db_mode", 0)
# Closed browsers must not leave dead contacts behind.
modparam("usrloc", "handle_lost_tcp", 1)
modparam("usrloc", "close_expired_tcp", 1)
modparam("registrar", "received_avp", "$avp(RECEIVED)")
modparam("nathelper", "received_avp", "$avp(RECEIVED)")
modparam("registrar", "max_expires", 600)
modparam("rr", "append_fromtag", 1)

request_route {
	if (!mf_process_maxfwd_header("10")) {
		sl_send_reply("483", "Too Many Hops");
		exit;
	}
	# Browsers over WS put unroutable .invalid hosts in Contact: remember where they really are.
	if (nat_uac_test(64)) {
		force_rport();
		if (is_method("REGISTER")) {
			fix_nated_register();
		} else {
			add_contact_alias();
		}
	}
	if (has_totag()) {
		if (loose_route()) {
			handle_ruri_alias();
			route(RELAY);
			exit;
		}
		if (is_method("ACK")) {
			if (t_check_trans()) {
				route(RELAY);
			}
			exit;
		}
		sl_send_reply("404", "Not here");
		exit;
	}
	if (is_method("CANCEL")) {
		if (t_check_trans()) {
			route(RELAY);
		}
		exit;
	}
	if (!is_method("ACK")) {
		t_check_trans();
	}
	if (is_method("REGISTER")) {
		if (!save("location")) {
			sl_reply_error();
		}
		exit;
	}
	if (is_method("OPTIONS") && $rU == $null) {
		sl_send_reply("200", "OK");
		exit;
	}
	if (is_method("INVITE|SUBSCRIBE|REFER")) {
		record_route();
	}
	# An INVITE with Replaces (attended transfer) targets a browser's contact URI, which carries the
	# alias this proxy added: route it there directly instead of through the location table.
	if ($(ru{uri.param,alias}) != "") {
		handle_ruri_alias();
		route(RELAY);
		exit;
	}
	if ($rU == $null) {
		sl_send_reply("484", "Address Incomplete");
		exit;
	}
	if (!lookup("location")) {
		sl_send_reply("404", "Not Found");
		exit;
	}
	route(RELAY);
}

route[RELAY] {
	if (is_method("INVITE|REFER|SUBSCRIBE|UPDATE")) {
		t_on_reply("REPLY");
	}
	if (!t_relay()) {
		sl_reply_error();
	}
	exit;
}

onreply_route[REPLY] {
	if (nat_uac_test(64)) {
		add_contact_alias();
	}
}

event_route[xhttp:request] {
	if ($hdr(Upgrade) =~ "websocket" && $hdr(Connection) =~ "Upgrade" && $rm =~ "GET") {
		if (ws_handle_handshake()) {
			exit;
		}
	}
	xhttp_reply("404", "Not Found", "", "");
}
