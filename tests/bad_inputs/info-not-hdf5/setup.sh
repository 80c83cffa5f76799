echo "some notes" > notes.h5
