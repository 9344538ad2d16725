"""Ordinary cluster output passes through `redact_text` unchanged: no false positives."""

from __future__ import annotations

import hashlib
import random
import uuid

import pytest

from tools.redact import is_high_entropy, redact_text

_RNG = random.Random(7)
_SHA40 = hashlib.sha1(b"commit").hexdigest()
_SHA64 = hashlib.sha256(b"layer").hexdigest()
_UUID = str(uuid.UUID(int=_RNG.getrandbits(128)))

KUBECTL_GET_PODS = """NAME                          READY   STATUS             RESTARTS      AGE
web-7d4b9c8f6-x2k9p           1/1     Running            0             3d4h
web-7d4b9c8f6-q8w7e           0/1     CrashLoopBackOff   12 (2m ago)   3d4h
worker-6f7c8d9b5-abcde        1/1     Running            1             11m
coredns-5dd5756b68-kxq2l      1/1     Running            0             40d"""

DESCRIBE_POD = f"""Name:             web-7d4b9c8f6-x2k9p
Namespace:        default
Node:             ip-10-0-1-23.eu-west-1.compute.internal/10.0.1.23
Labels:           app=web
                  pod-template-hash=7d4b9c8f6
Annotations:      kubectl.kubernetes.io/restartedAt: 2024-05-12T10:00:00Z
                  checksum/config: {_SHA64}
Controlled By:    ReplicaSet/web-7d4b9c8f6
Containers:
  web:
    Container ID:   containerd://{_SHA64}
    Image:          ghcr.io/acme/web:{_SHA40}
    Image ID:       ghcr.io/acme/web@sha256:{_SHA64}
    Environment:
      DB_PASSWORD:  <set to the key 'password' in secret 'db-credentials'>  Optional: false
      LOG_LEVEL:    info
    Mounts:
      /var/run/secrets/kubernetes.io/serviceaccount from kube-api-access-x2k9p (ro)
Volumes:
  tls:
    Type:        Secret (a volume populated by a Secret)
    SecretName:  web-tls
Events:
  Type     Reason     Age   From     Message
  Warning  BackOff    2m    kubelet  Back-off restarting failed container web in pod web-7d4b9c8f6-x2k9p"""

POD_YAML = f"""apiVersion: v1
kind: Pod
metadata:
  name: web-7d4b9c8f6-x2k9p
  uid: {_UUID}
  resourceVersion: "48213377"
  generateName: web-7d4b9c8f6-
spec:
  automountServiceAccountToken: false
  serviceAccountName: web
  containers:
  - name: web
    image: registry.k8s.io/ingress-nginx/controller:v1.10.0@sha256:{_SHA64}
    env:
    - name: DB_PASSWORD
      valueFrom:
        secretKeyRef:
          name: db-credentials
          key: password
    - name: TOKEN_FILE
      value: /var/run/secrets/tokens/vault-token
  volumes:
  - name: token
    projected:
      sources:
      - serviceAccountToken:
          expirationSeconds: 3600
          path: token
  - name: tls
    secret:
      secretName: web-tls"""

LOG_LINES = f"""2024-05-12T10:00:00.123Z INFO request completed path=/api/v1/orders/12345 status=200 ms=12.5
{{"ts":"2024-05-12T10:00:01Z","level":"error","msg":"invalid token: expired","trace_id":"{_SHA64[:32]}"}}
I0512 10:00:02.000000       1 controller.go:120] Successfully synced 'default/web-7d4b9c8f6-x2k9p'
E0512 10:00:03.000000       1 reflector.go:147] failed to list *v1.Secret: secrets is forbidden
panic: runtime error: invalid memory address [signal SIGSEGV: segmentation violation addr=0x0 pc=0x4a2b3c]
goroutine 1 [running]: main.(*Server).handle(0xc000123456, 0xc000abcdef)
java.lang.NullPointerException: at com.acme.orders.OrderServiceImplementation.handle(OrderService.java:42)
the password is required; please set a token in the config and try again
GET https://api.example.com/v1/items?page=2&limit=50 HTTP/1.1 200
connecting to http://[::1]:8080/healthz and fe80::1ff:fe23:4567:890a
Pulling image "nginx@sha256:{_SHA64}"
helm upgrade web ./chart --set image.tag={_SHA40} --wait"""

IDENTIFIERS = [
    "KubernetesServiceAccountTokenVolumeProjection",
    "AbstractSingletonProxyFactoryBean2Impl",
    "HorizontalPodAutoscalerBehaviorScalingPolicy1",
    "getServiceAccountTokenForNamespace2Default",
    "ImagePullBackOff_ErrImagePull_CrashLoopBackOff1",
    "io_kubernetes_container_Name_Version123",
    "eu-west-1a_NodeGroup-Spot-Instances-Large4x",
    "KUBERNETES_SERVICE_PORT_HTTPS_SECONDARY_NODE",
    "/var/lib/kubelet/pods/Abc123/volumes/kubernetes.io~secret",
    "gke-prod-cluster-default-pool-3f2a1b9c-x7kq",
    "my-very-long-deployment-name-7d4b9c8f6-x2k9p",
    _SHA40,
    _SHA64,
    _SHA64[:32],
    _UUID,
    "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
]


@pytest.mark.parametrize(
    "text",
    [KUBECTL_GET_PODS, DESCRIBE_POD, POD_YAML, LOG_LINES],
    ids=["get-pods", "describe-pod", "pod-yaml", "logs"],
)
def test_ordinary_cluster_output_is_unchanged(text: str) -> None:
    assert redact_text(text) == text


@pytest.mark.parametrize("identifier", IDENTIFIERS)
def test_identifiers_digests_and_uuids_are_not_high_entropy(identifier: str) -> None:
    assert not is_high_entropy(identifier)
    assert redact_text(f"value {identifier} end") == f"value {identifier} end"


@pytest.mark.parametrize(
    "text",
    [
        "token expired",
        "invalid token: expired",
        "the secret was not found",
        "password: ",
        "tokenExpirationSeconds: 3600",
        "secretName: web-tls",
        "secrets: 3",
        "max_tokens=512 tokens_used=120",
        "passwordless login enabled",
        "oauth: enabled",
        "secret:default/web-tls",
        "--token-file /var/run/token",
        "password=${DB_PASSWORD}",
        "password: '{{ .Values.password }}'",
        'token: ""',
        "password=[REDACTED:password]",
        "Bearer token required",
        "sk-learn is not a key",
        "AKIA is a prefix",
    ],
)
def test_secret_words_without_secret_values_are_unchanged(text: str) -> None:
    assert redact_text(text) == text
