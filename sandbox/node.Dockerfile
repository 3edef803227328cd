# Sandbox image for JavaScript and TypeScript jobs (TypeScript arrives transpiled on the host):
# the runtime, a non-root user and the harness, nothing else.
# `afterburner images --base IMAGE` replaces BASE on machines that cannot reach Docker Hub.
ARG BASE=node:22-slim
FROM ${BASE}
# Written into /etc/passwd directly so that any base works (no useradd on some slim images).
RUN echo 'sandbox:x:10001:10001:sandbox:/run/work:/usr/sbin/nologin' >> /etc/passwd \
 && echo 'sandbox:x:10001:' >> /etc/group
COPY node/ /opt/afterburner/sandbox/node/
# No WORKDIR /run/work: the tmpfs mounted there at run time would take on its root owner and mode.
USER 10001:10001
CMD ["sleep", "infinity"]
