echo "an earlier result" > kept.h5
ln -s kept.h5 out.h5
