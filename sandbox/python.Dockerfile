# Sandbox image for Python jobs: the interpreter, a non-root user and the harness, nothing else.
# `afterburner images --base IMAGE` replaces BASE on machines that cannot reach Docker Hub.
ARG BASE=python:3.12-slim
FROM ${BASE}
# The user is written into /etc/passwd directly so that any base works (some have no useradd).
# A base without the runtime or the agent's tools (sh, tar, head, setsid, env) fails here, not later.
RUN python3 --version && command -v tar head setsid env >/dev/null \
 && echo 'sandbox:x:10001:10001:sandbox:/run/sandbox-work:/usr/sbin/nologin' >> /etc/passwd \
 && echo 'sandbox:x:10001:' >> /etc/group
COPY python/ /opt/afterburner/sandbox/python/
# No WORKDIR /run/sandbox-work: the tmpfs mounted there at run time would take on its root owner and mode.
USER 10001:10001
CMD ["sleep", "infinity"]
