merge into listings key (id) values
  (1, 'Loft by the canal', 120),
  (2, 'Cabin in the pines', 95),
  (3, 'Flat above the bakery', 80),
  (4, 'Houseboat', 150),
  (5, 'Room with a view', 70);
