echo "half a results file" > out.h5.partial
echo "half a journal" > out.h5.journal.new
