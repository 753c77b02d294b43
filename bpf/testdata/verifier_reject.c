/* SPDX-License-Identifier: Apache-2.0 */
/* Compiles, but the verifier must reject it: it reads the packet without a bounds check. Tests use
 * it to prove that a rejected load reports the verifier's reason. */
#include <linux/bpf.h>
#include <linux/pkt_cls.h>
#include <bpf/bpf_helpers.h>

SEC("tc")
int unchecked_read(struct __sk_buff *skb)
{
	__u8 *data = (__u8 *)(long)skb->data;

	return data[20] == 6 ? TC_ACT_SHOT : TC_ACT_OK;
}

char LICENSE[] SEC("license") = "Dual BSD/GPL";
