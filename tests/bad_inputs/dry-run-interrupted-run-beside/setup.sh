# What an interrupted run leaves beside its output.
printf 'a journal\n' > out.h5.journal
