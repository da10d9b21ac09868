#!/usr/bin/python3
"""Records a DIGEST-MD5 auth-conf session between Cyrus SASL's own client and server (libsasl2,
driven through ctypes: no Python SASL binding needed) so the TypeScript client can be checked
against it byte for byte: challenge, response, rspauth, and packets sealed by both sides.

Run with Debian's python3 and sasl2-bin installed (saslpasswd2):
    /usr/bin/python3 scripts/cyrus-digest-md5-vector.py rc4 > test/unit/libvirt/fixtures/...json
The cipher argument caps the client's max SSF so Cyrus picks that cipher (rc4: 128, 3des: 112).
"""
import ctypes as C
import json
import os
import subprocess
import sys
import tempfile

CIPHER_SSF = {'rc4': 128, '3des': 112}
cipher = sys.argv[1] if len(sys.argv) > 1 else 'rc4'
USER, PASSWORD, REALM, HOST = 'fred', 'letmein', 'vm', 'h'

work = tempfile.mkdtemp(prefix='vk-cyrus-vector-')
db = os.path.join(work, 'passwd.db')
subprocess.run(['saslpasswd2', '-a', 'libvirt', '-f', db, '-u', REALM, '-p', '-c', USER], input=PASSWORD + '\n', text=True, check=True)
with open(os.path.join(work, 'libvirt.conf'), 'w') as f:
    f.write(f'mech_list: digest-md5\nsasldb_path: {db}\n')
os.environ['SASL_CONF_PATH'] = work

sasl = C.CDLL('libsasl2.so.2')
SASL_OK, SASL_CONTINUE = 0, 1
SASL_SEC_PROPS = 101
SASL_CB_LIST_END, SASL_CB_USER, SASL_CB_AUTHNAME, SASL_CB_PASS = 0, 0x4001, 0x4002, 0x4004


class Callback(C.Structure):
    _fields_ = [('id', C.c_ulong), ('proc', C.c_void_p), ('context', C.c_void_p)]


class SecProps(C.Structure):
    _fields_ = [('min_ssf', C.c_uint), ('max_ssf', C.c_uint), ('maxbufsize', C.c_uint), ('security_flags', C.c_uint),
                ('property_names', C.c_void_p), ('property_values', C.c_void_p)]


GETSIMPLE = C.CFUNCTYPE(C.c_int, C.c_void_p, C.c_int, C.POINTER(C.c_char_p), C.POINTER(C.c_uint))
GETSECRET = C.CFUNCTYPE(C.c_int, C.c_void_p, C.c_void_p, C.c_int, C.POINTER(C.c_void_p))
keep = []


USER_BYTES = USER.encode()  # must outlive the callback: Cyrus keeps the pointer


@GETSIMPLE
def simple(_ctx, _id, result, length):
    result[0] = USER_BYTES
    if length:
        length[0] = len(USER)
    return SASL_OK


@GETSECRET
def secret(_conn, _ctx, _id, psecret):
    # sasl_secret_t: unsigned long len; unsigned char data[]
    buf = C.create_string_buffer(C.sizeof(C.c_ulong) + len(PASSWORD) + 1)
    C.c_ulong.from_buffer(buf).value = len(PASSWORD)
    C.memmove(C.addressof(buf) + C.sizeof(C.c_ulong), PASSWORD.encode(), len(PASSWORD))
    keep.append(buf)
    psecret[0] = C.addressof(buf)
    return SASL_OK


callbacks = (Callback * 4)(Callback(SASL_CB_USER, C.cast(simple, C.c_void_p), None), Callback(SASL_CB_AUTHNAME, C.cast(simple, C.c_void_p), None),
                           Callback(SASL_CB_PASS, C.cast(secret, C.c_void_p), None), Callback(SASL_CB_LIST_END, None, None))


def check(rc, conn, what):
    if rc not in (SASL_OK, SASL_CONTINUE):
        sasl.sasl_errdetail.restype = C.c_char_p
        sys.exit(f'{what}: {rc} {sasl.sasl_errdetail(conn).decode()}')
    return rc


check(sasl.sasl_server_init(None, b'libvirt'), None, 'server_init')
check(sasl.sasl_client_init(None), None, 'client_init')
server, client = C.c_void_p(), C.c_void_p()
check(sasl.sasl_server_new(b'libvirt', REALM.encode(), None, None, None, None, 0, C.byref(server)), None, 'server_new')
check(sasl.sasl_client_new(b'libvirt', HOST.encode(), None, None, callbacks, 0, C.byref(client)), None, 'client_new')
# libvirtd's props on plain TCP, and libvirt's client's (its max SSF capped to pick the cipher).
check(sasl.sasl_setprop(server, SASL_SEC_PROPS, C.byref(SecProps(56, 100000, 65536, 0, None, None))), server, 'server props')
check(sasl.sasl_setprop(client, SASL_SEC_PROPS, C.byref(SecProps(56, CIPHER_SSF[cipher], 100000, 0, None, None))), client, 'client props')

out, outlen, mech = C.c_char_p(), C.c_uint(), C.c_char_p()
check(sasl.sasl_client_start(client, b'DIGEST-MD5', None, C.byref(out), C.byref(outlen), C.byref(mech)), client, 'client_start')
check(sasl.sasl_server_start(server, b'DIGEST-MD5', None, 0, C.byref(out), C.byref(outlen)), server, 'server_start')
challenge = C.string_at(out, outlen.value)
check(sasl.sasl_client_step(client, challenge, len(challenge), None, C.byref(out), C.byref(outlen)), client, 'client_step')
response = C.string_at(out, outlen.value)
check(sasl.sasl_server_step(server, response, len(response), C.byref(out), C.byref(outlen)), server, 'server_step')
rspauth = C.string_at(out, outlen.value)
check(sasl.sasl_client_step(client, rspauth, len(rspauth), None, C.byref(out), C.byref(outlen)), client, 'client_step 2')


def encode(conn, data):
    check(sasl.sasl_encode(conn, data, len(data), C.byref(out), C.byref(outlen)), conn, 'encode')
    return C.string_at(out, outlen.value)


def decode(conn, data):
    check(sasl.sasl_decode(conn, data, len(data), C.byref(out), C.byref(outlen)), conn, 'decode')
    return C.string_at(out, outlen.value)


to_server = [b'first call from the client', bytes(range(256)) * 3]
to_client = [b'reply from the daemon', b'x' * 1000]
client_packets = [encode(client, m) for m in to_server]
server_packets = [encode(server, m) for m in to_client]
# Both sides accept what the other sealed: the recording is a working session.
assert [decode(server, p) for p in client_packets] == to_server
assert [decode(client, p) for p in server_packets] == to_client
version = C.c_char_p()
sasl.sasl_version_info(None, C.byref(version), None, None, None, None)
json.dump({
    'source': f'Cyrus SASL {version.value.decode()} (libsasl2.so.2) client and server, cipher {cipher}, by scripts/cyrus-digest-md5-vector.py',
    'username': USER, 'password': PASSWORD, 'host': HOST,
    'challenge': challenge.decode(), 'response': response.decode(), 'rspauth': rspauth.decode(),
    'clientMessages': [m.hex() for m in to_server], 'clientPackets': [p.hex() for p in client_packets],
    'serverMessages': [m.hex() for m in to_client], 'serverPackets': [p.hex() for p in server_packets],
}, sys.stdout, indent=1)
print()
