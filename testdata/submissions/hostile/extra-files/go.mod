module locklab.grade
