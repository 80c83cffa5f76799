# A sweep into out.h5, killed (SIGKILL) once its journal holds a run.
"$EXE" run "$DATA/sweeps/interrupt.toml" -q --threads 1 --set market.customers=20000 -o out.h5 >/dev/null 2>&1 &
pid=$!
for i in $(seq 1 20000); do
  size=$(stat -c %s out.h5.journal 2>/dev/null || echo 0)
  [ "$size" -gt 1000 ] && break
  sleep 0.001
done
kill -KILL $pid
wait $pid 2>/dev/null
true
