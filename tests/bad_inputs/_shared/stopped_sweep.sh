# Shared by the writers-* cases (sourced by their setup.sh). A sweep writing out.h5, stopped (SIGSTOP) once its journal holds a run;
# the runner kills it after the check.
"$EXE" run "$DATA/sweeps/interrupt.toml" -q --threads 1 --set market.customers=20000 -o out.h5 >/dev/null 2>&1 &
pid=$!
echo $pid > .background_pid
for i in $(seq 1 20000); do
  size=$(stat -c %s out.h5.journal 2>/dev/null || echo 0)
  [ "$size" -gt 1000 ] && break
  sleep 0.001
done
kill -STOP $pid
# kill returns before the process has stopped: wait until /proc says so.
for i in $(seq 1 5000); do
  state=$(sed 's/.*) //' /proc/$pid/stat | cut -c1)
  [ "$state" = T ] && break
  sleep 0.001
done
